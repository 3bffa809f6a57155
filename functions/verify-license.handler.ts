/**
 * GET /v1/licenses/{licenseId}/verification?code=XXXX-XXXX — anyone holding a license (its id and
 * the verification code printed on it) can check it: both stored files are hashed again and
 * compared with the record, and the signature over those hashes is checked with the key that made
 * it. Only what the license itself prints is shown, masked. The id alone verifies nothing.
 */
import * as z from 'zod/mini';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { licenseStore } from '#adapters/dynamodb/license-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { LicenseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { VerificationSchema } from '#adapters/http/schemas.ts';
import { cityKeyer } from '#adapters/identity/identifier-secret.ts';
import { licenseFiles } from '#adapters/s3/license-files.ts';
import { verifierFor } from '#adapters/signing/signer.ts';
import { verifyLicense } from '#core/licenses/verify.ts';

/** Optional in the schema: a missing code is the same 404 as a wrong one, never a 400 that tells them apart. */
const VerificationQuery = z.object({
  code: z
    .optional(z.string().check(z.maxLength(40)))
    .check(
      z.describe(
        'The verification code (核验码) printed on the license, e.g. `7K3M-9QX2`; case and hyphens do not matter.',
      ),
    ),
});

export const route = defineRoute({
  name: 'verify-license',
  method: 'GET',
  path: '/v1/licenses/{licenseId}/verification',
  caller: 'public',
  summary: 'Verify an e-license: stored files intact and signature valid',
  tags: ['Licenses'],
  description:
    'Needs the license id and the verification code printed on the license. An unknown id, a missing code and a wrong code get the same 404, so an id alone tells nothing — not even that it exists.',
  params: LicenseParams,
  query: VerificationQuery,
  responses: { 200: { description: 'The verdict, valid or not.', schema: VerificationSchema } },
  problems: { 404: 'There is no license with this id and verification code.' },
  needs: { table: 'read', files: 'read', signing: 'verify' },
});

export const handler = httpHandler(route)(async ({ params, query }) => ({
  status: 200,
  headers: { 'cache-control': 'no-store' },
  body: await verifyLicense(
    { store: licenseStore, files: licenseFiles, verifierFor, catalog: catalog(), keyer: await cityKeyer() },
    params.licenseId,
    query.code,
  ),
}));
