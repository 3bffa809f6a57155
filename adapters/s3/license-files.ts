/**
 * License documents in S3: `licenses/<licenseId>/document.html`, what people read, its data for
 * systems embedded (core/licenses/document.ts). Licenses issued before have their data beside it,
 * `licenses/<licenseId>/data.json` (read, never written any more). Downloads go straight to S3
 * through short-lived presigned URLs, so no license bytes pass through Lambda or API Gateway.
 */
import { createHash } from 'node:crypto';
import type { LicenseFiles } from '#core/licenses/ports.ts';
import { GetObjectCommand, type GetObjectOutput, getSignedUrl, PutObjectCommand } from '../aws/s3.ts';
import { bucket, s3, sendS3 } from './client.ts';

/** Long enough to follow a link from a portal page, short enough that a leaked link soon dies. */
export const DOWNLOAD_URL_SECONDS = 5 * 60;

const keysFor = (licenseId: string) => ({ documentKey: `licenses/${licenseId}/document.html` });

async function putFile(key: string, body: Uint8Array, contentType: string) {
  await sendS3(
    new PutObjectCommand({
      Bucket: bucket(),
      Key: key,
      Body: body,
      ContentType: contentType,
      // S3 checks the bytes it stores against this: a corrupted upload fails here, not at verification.
      ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
      // License ids are public (printed, verifiable): only a presigned URL may read the bytes.
      CacheControl: 'private, no-store',
    }),
  );
}

export const licenseFiles: LicenseFiles = {
  keysFor,

  async put(licenseId, document) {
    await putFile(keysFor(licenseId).documentKey, document, 'text/html; charset=utf-8');
  },

  async read(key) {
    try {
      const r = await sendS3<GetObjectOutput>(new GetObjectCommand({ Bucket: bucket(), Key: key }));
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404)
        return undefined;
      throw err;
    }
  },

  async downloadUrl(key) {
    return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket(), Key: key }), {
      expiresIn: DOWNLOAD_URL_SECONDS,
    });
  },
};
