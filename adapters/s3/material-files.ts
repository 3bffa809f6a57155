/**
 * Material bytes in S3. Portals upload straight to S3 with a presigned PUT (the bytes never pass
 * through Lambda or API Gateway's 10 MB limit); the server then reads them back and judges them
 * itself, because neither a presigned URL nor s3rver guarantees what was stored (TOOLCHAIN.md).
 *
 * Object keys are `materials/<yyyy-mm>/<materialId>`: no file name and no personal data, so keys
 * may appear in logs, metrics and access logs; the month prefix keeps listings and lifecycle rules
 * cheap.
 */
import { createHash } from 'node:crypto';
import type { MaterialFiles, PresignedUpload } from '#core/materials/ports.ts';
import { SNIFF_BYTES } from '#core/materials/sniff.ts';
import { UnavailableError } from '#core/shared/errors.ts';
import {
  GetObjectCommand,
  type GetObjectOutput,
  getSignedUrl,
  HeadObjectCommand,
  type HeadObjectOutput,
  PutObjectCommand,
} from '../aws/s3.ts';
import { bucket, s3, sendS3 } from './client.ts';

/** Long enough for a 50 MB file on a slow mobile link, short enough that a leaked URL soon dies. */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** A download link is followed at once; it is not something to bookmark or forward. */
export const DOWNLOAD_URL_SECONDS = 5 * 60;

export function materialObjectKey(materialId: string, createdAt: string): string {
  return `materials/${createdAt.slice(0, 7)}/${materialId}`;
}

/** Every header of a presigned upload is signed: the client must send exactly these, with these values. */
export type { PresignedUpload };

/**
 * A presigned PUT for exactly the declared file. Content-Type and Content-Length are signed, so
 * S3 refuses another type or size; `If-None-Match: *` is signed too, so S3 refuses to overwrite the
 * object once it exists — the bytes that were verified stay the bytes that are stored, even while
 * the URL is still valid. (s3rver enforces none of these; verification does not rely on them.)
 */
export async function presignUpload(
  key: string,
  file: { readonly contentType: string; readonly size: number },
  now = new Date(),
): Promise<PresignedUpload> {
  const headers = {
    'content-type': file.contentType,
    'content-length': String(file.size),
    'if-none-match': '*',
  };
  const url = await getSignedUrl(
    s3,
    new PutObjectCommand({
      Bucket: bucket(),
      Key: key,
      ContentType: file.contentType,
      ContentLength: file.size,
      IfNoneMatch: '*',
    }),
    { expiresIn: UPLOAD_URL_SECONDS, signingDate: now, signableHeaders: new Set(Object.keys(headers)) },
  );
  return {
    url,
    method: 'PUT',
    headers,
    expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
}

/**
 * `Content-Disposition: attachment` with the original name: an ASCII fallback for old clients and
 * the exact UTF-8 name in RFC 5987/6266 `filename*` (Chinese names survive every browser).
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** A short-lived link to download a material under its original name and verified type. */
export async function presignDownload(
  key: string,
  file: { readonly fileName: string; readonly contentType: string },
  now = new Date(),
): Promise<{ readonly url: string; readonly expiresAt: string }> {
  const url = await getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: bucket(),
      Key: key,
      ResponseContentDisposition: attachmentDisposition(file.fileName),
      ResponseContentType: file.contentType,
    }),
    { expiresIn: DOWNLOAD_URL_SECONDS, signingDate: now },
  );
  return { url, expiresAt: new Date(now.getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString() };
}

export interface StoredObject {
  /** Bytes actually read (and hashed). */
  readonly size: number;
  /** Lower-case hex SHA-256 of the stored bytes, computed here, never taken from S3 metadata. */
  readonly sha256: string;
  /** The first SNIFF_BYTES bytes (fewer if the object is shorter), for content sniffing. */
  readonly head: Uint8Array;
  /** The ETag of the version read: names exactly these bytes, so a later HEAD can tell they are still there. */
  readonly etag?: string | undefined;
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/**
 * Reads a stored object through SHA-256, streaming (never buffering the whole file): one GET, whose
 * ETag names exactly the bytes read (a missing object — not uploaded yet — is a 404 GET, billed as
 * a HEAD would be). Size is bounded by the signed Content-Length in S3 and by the catalog's
 * maxBytes (≤ 50 MB). Returns undefined when there is no object.
 */
export async function inspectObject(key: string): Promise<StoredObject | undefined> {
  let got: GetObjectOutput;
  try {
    got = await sendS3<GetObjectOutput>(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }

  const hash = createHash('sha256');
  const first = new Uint8Array(SNIFF_BYTES);
  let size = 0;
  try {
    for await (const chunk of (got.Body ?? []) as AsyncIterable<Uint8Array>) {
      if (size < SNIFF_BYTES) first.set(chunk.subarray(0, SNIFF_BYTES - size), size);
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (err) {
    // A stream cut mid-way is an outage like any other: retry later, never judge partial bytes.
    throw new UnavailableError('File storage is unavailable; please retry.', { cause: err });
  }
  return {
    size,
    sha256: hash.digest('hex'),
    head: first.slice(0, Math.min(size, SNIFF_BYTES)),
    etag: got.ETag,
  };
}

/** Size and ETag of the stored object (one HEAD, no bytes read); undefined when there is none. */
export async function headObject(key: string): Promise<{ size: number; etag?: string } | undefined> {
  try {
    const head = await sendS3<HeadObjectOutput>(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    return { size: head.ContentLength ?? -1, ...(head.ETag ? { etag: head.ETag } : {}) };
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The material use cases' file storage port (core/materials/ports.ts), in S3. */
export const materialFiles: MaterialFiles = {
  objectKey: materialObjectKey,
  presignUpload,
  inspect: inspectObject,
  head: headObject,
};
