/**
 * The files bucket's one CORS rule — the deployed bucket (infra/city-stack.ts) and the local S3
 * emulator (local/emulators/s3.ts) both take it from here, so a browser upload that works locally
 * works on AWS. Browsers PUT materials to presigned URLs and GET licenses and materials from them;
 * the signature, not the origin, authorises the request.
 *
 * Every header a presigned upload signs (material-files.ts presignUpload: content-type,
 * content-length, if-none-match) must be allowed, or the browser's preflight fails before the PUT
 * is sent (issue 10, defect 11: if-none-match was missing). Header names are lower case, as a
 * preflight's Access-Control-Request-Headers lists them.
 */
export const FILES_BUCKET_CORS = {
  allowedOrigins: ['*'],
  allowedMethods: ['PUT', 'GET'],
  allowedHeaders: ['content-type', 'content-length', 'if-none-match', 'x-amz-*'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 3000,
} as const;

/** The rule as an S3 CORSConfiguration document (what PutBucketCors takes; s3rver reads it too). */
export function corsConfigurationXml(rule = FILES_BUCKET_CORS): string {
  const tags = (name: string, values: readonly string[]) =>
    values.map((v) => `    <${name}>${v}</${name}>`).join('\n');
  return [
    '<CORSConfiguration>',
    '  <CORSRule>',
    tags('AllowedOrigin', rule.allowedOrigins),
    tags('AllowedMethod', rule.allowedMethods),
    tags('AllowedHeader', rule.allowedHeaders),
    tags('ExposeHeader', rule.exposedHeaders),
    `    <MaxAgeSeconds>${rule.maxAgeSeconds}</MaxAgeSeconds>`,
    '  </CORSRule>',
    '</CORSConfiguration>',
  ].join('\n');
}
