/**
 * GET /v1/licenses/{licenseId}/verification — anyone holding a licence can check it: both stored
 * files are hashed again and compared with the record, and the signature over those hashes is
 * checked with the key that made it. Only what the licence itself prints is shown, masked.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { licenseStore } from '#adapters/dynamodb/license-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { LicenseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { VerificationSchema } from '#adapters/http/schemas.ts';
import { licenseFiles } from '#adapters/s3/license-files.ts';
import { verifierFor } from '#adapters/signing/signer.ts';
import { type LicenseData, sha256Hex, signedMessage } from '#core/licenses/document.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import { maskName } from '#core/shared/identifiers.ts';

const intact = (bytes: Uint8Array | undefined, sha256: string) =>
  bytes !== undefined && sha256Hex(bytes) === sha256;

export const route = defineRoute({
  name: 'verify-license',
  method: 'GET',
  path: '/v1/licenses/{licenseId}/verification',
  caller: 'public',
  summary: 'Verify an e-licence: stored files intact and signature valid',
  tags: ['Licences'],
  params: LicenseParams,
  responses: { 200: { description: 'The verdict, valid or not.', schema: VerificationSchema } },
  problems: { 404: 'There is no such licence.' },
  needs: { table: 'read', files: 'read', signing: 'verify' },
});

export const handler = httpHandler(route)(async ({ params }) => {
  const l = await licenseStore.get(params.licenseId);
  if (!l) throw new NotFoundError(`There is no licence "${params.licenseId}".`);
  const [document, data] = await Promise.all([
    licenseFiles.read(l.documentKey),
    licenseFiles.read(l.dataKey),
  ]);
  const verifier = l.algorithm === 'ECDSA_SHA_256' ? verifierFor(l.keyId) : undefined;
  const checks = {
    documentIntact: intact(document, l.documentSha256),
    dataIntact: intact(data, l.dataSha256),
    signatureValid: verifier
      ? await verifier.verify(signedMessage(l), Buffer.from(l.signature, 'base64'))
      : false,
  };
  // The holder is shown only from intact data: an altered file must not put words in our mouth.
  const holder = checks.dataIntact
    ? (JSON.parse(new TextDecoder().decode(data)) as LicenseData).holder
    : undefined;
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: {
      valid: checks.documentIntact && checks.dataIntact && checks.signatureValid,
      licenseId: l.licenseId,
      serviceId: l.serviceId,
      name: l.name,
      issuedAt: l.issuedAt,
      issuer: {
        id: l.departmentId,
        name: catalog().departments.get(l.departmentId)?.name ?? l.departmentId,
      },
      ...(holder
        ? {
            holder: {
              kind: holder.kind,
              // A person's name is personal data: masked here, as is the identifier on the licence.
              name: holder.kind === 'person' ? maskName(holder.name) : holder.name,
              identifierType: holder.identifierType,
              identifier: holder.identifier,
            },
          }
        : {}),
      checks,
      algorithm: l.algorithm,
      keyId: l.keyId,
    },
  };
});
