/**
 * One S3 client per container: the lean client (adapters/aws/s3.ts). No checksums but those a
 * caller sets (ChecksumSHA256 on license files); path-style URLs for emulators
 * (S3_FORCE_PATH_STYLE=true, read when this module loads).
 */

import { recordCallsOf } from '#adapters/aws-call-recorder.ts';
import { UnavailableError } from '#core/shared/errors.ts';
import { S3Client } from '../aws/s3.ts';
import { config } from '../config.ts';

// Presigned URLs run this client's middleware too: recorded as the action they grant.
export const s3 = recordCallsOf(
  's3',
  new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }),
);

export const bucket = () => config().BUCKET_NAME;

/** Test seam for fault injection: runs before every S3 call made through `sendS3`. */
export const s3Faults = { before: undefined as undefined | ((command: unknown) => void) };

const PASS_THROUGH = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'AccessDenied', 'InvalidRange']);

/** Sends an S3 command; an outage becomes UnavailableError (→ 503, safe to retry). */
// biome-ignore lint/suspicious/noExplicitAny: every S3 command type is accepted here
export async function sendS3<T>(command: any): Promise<T> {
  try {
    s3Faults.before?.(command);
    return (await s3.send(command)) as T;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (PASS_THROUGH.has(e.name ?? '') || e.$metadata?.httpStatusCode === 404) throw err;
    throw new UnavailableError('File storage is unavailable; please retry.', { cause: err });
  }
}
