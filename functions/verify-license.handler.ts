/**
 * GET /v1/licenses/{licenseId}/verification — anyone holding a license can check it: both stored
 * files are hashed again and compared with the record, and the signature over those hashes is
 * checked with the key that made it. Only what the license itself prints is shown, masked.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { licenseStore } from '#adapters/dynamodb/license-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { LicenseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { VerificationSchema } from '#adapters/http/schemas.ts';
import { licenseFiles } from '#adapters/s3/license-files.ts';
import { verifierFor } from '#adapters/signing/signer.ts';
import { verifyLicense } from '#core/licenses/verify.ts';

export const route = defineRoute({
  name: 'verify-license',
  method: 'GET',
  path: '/v1/licenses/{licenseId}/verification',
  caller: 'public',
  summary: 'Verify an e-license: stored files intact and signature valid',
  tags: ['Licenses'],
  params: LicenseParams,
  responses: { 200: { description: 'The verdict, valid or not.', schema: VerificationSchema } },
  problems: { 404: 'There is no such license.' },
  needs: { table: 'read', files: 'read', signing: 'verify' },
});

export const handler = httpHandler(route)(async ({ params }) => ({
  status: 200,
  headers: { 'cache-control': 'no-store' },
  body: await verifyLicense(
    { store: licenseStore, files: licenseFiles, verifierFor, catalog: catalog() },
    params.licenseId,
  ),
}));
