/**
 * The lean S3 client without a network: presigned URLs carry the very signature the SDK's
 * presigner makes for the same upload, sign exactly the headers material uploads sign, address
 * path-style or virtual-hosted buckets, and run the middleware stack (answering `presigned`);
 * S3's XML errors and header-only errors get the SDK's names.
 */
import {
  GetObjectCommand as SdkGetObjectCommand,
  PutObjectCommand as SdkPutObjectCommand,
  S3Client as SdkS3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl as sdkGetSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GetObjectCommand, getSignedUrl, PutObjectCommand, S3Client, s3Error } from './s3.ts';

const saved = { ...process.env };
beforeEach(() => {
  Object.assign(process.env, {
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'session',
  });
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.AWS_ENDPOINT_URL;
});
afterEach(() => {
  process.env = { ...saved };
});

const signingDate = new Date('2026-12-01T08:00:00Z');
const upload = {
  Bucket: 'yjs-files',
  Key: 'materials/2026-12/m-01 (copy)+1',
  ContentType: 'application/pdf',
  ContentLength: 1234,
  IfNoneMatch: '*',
};
const uploadOptions = {
  expiresIn: 900,
  signingDate,
  signableHeaders: new Set(['content-type', 'content-length', 'if-none-match']),
};
const params = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('presigned URLs', () => {
  for (const pathStyle of [true, false])
    it(`sign an upload exactly as the SDK's presigner does (${pathStyle ? 'path style, emulator endpoint' : 'virtual-hosted, China region'})`, async () => {
      if (pathStyle) process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4568';
      const ours = await getSignedUrl(
        new S3Client({ forcePathStyle: pathStyle }),
        new PutObjectCommand(upload),
        uploadOptions,
      );
      const theirs = await sdkGetSignedUrl(
        new SdkS3Client({ forcePathStyle: pathStyle, requestChecksumCalculation: 'WHEN_REQUIRED' }),
        new SdkPutObjectCommand(upload),
        uploadOptions,
      );
      const [o, t] = [new URL(ours), new URL(theirs)];
      expect(o.origin + o.pathname).toBe(t.origin + t.pathname);
      expect(params(ours)).toEqual(params(theirs));
      expect(params(ours)['X-Amz-SignedHeaders']).toBe('content-length;content-type;host;if-none-match');
      expect(o.host).toBe(pathStyle ? '127.0.0.1:4568' : 'yjs-files.s3.cn-north-1.amazonaws.com.cn');
    });

  it("put a download's response headers in the query, signed, as the SDK does (which also asks for checksums)", async () => {
    const download = {
      Bucket: 'yjs-files',
      Key: 'licenses/l-1/document.html',
      ResponseContentDisposition: 'attachment; filename="a b.pdf"; filename*=UTF-8\'\'%E8%90%A5',
      ResponseContentType: 'application/pdf',
    };
    const ours = params(
      await getSignedUrl(new S3Client(), new GetObjectCommand(download), { expiresIn: 300, signingDate }),
    );
    const theirs = params(
      await sdkGetSignedUrl(new SdkS3Client({}), new SdkGetObjectCommand(download), {
        expiresIn: 300,
        signingDate,
      }),
    );
    expect(ours['response-content-disposition']).toBe(download.ResponseContentDisposition);
    expect(ours['response-content-type']).toBe('application/pdf');
    expect(ours['X-Amz-SignedHeaders']).toBe('host');
    const { 'X-Amz-Signature': _o, ...oursUnsigned } = ours;
    const { 'X-Amz-Signature': _t, 'x-amz-checksum-mode': mode, ...theirsUnsigned } = theirs;
    expect(mode).toBe('ENABLED'); // the only difference: no checksum beyond what S3 requires
    expect(oursUnsigned).toEqual(theirsUnsigned);
  });

  it('run the middleware stack, which sees the command and answers the URL as `presigned`', async () => {
    const client = new S3Client({ forcePathStyle: true });
    const seen: { commandName: string; key: unknown; presigned: boolean }[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        seen.push({
          commandName: context.commandName,
          key: args.input.Key,
          presigned: 'presigned' in result.output,
        });
        return result;
      },
      { step: 'initialize', name: 'probe', priority: 'high' },
    );
    const url = await getSignedUrl(client, new PutObjectCommand(upload), uploadOptions);
    expect(seen).toEqual([{ commandName: 'PutObjectCommand', key: upload.Key, presigned: true }]);
    expect(url).toContain('X-Amz-Signature=');
  });
});

describe('requests', () => {
  it('address the bucket in the path with S3_FORCE_PATH_STYLE, in the host otherwise', () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4568';
    const path = new S3Client({ forcePathStyle: true }).request('HeadObject', {
      Bucket: 'b-1',
      Key: 'a/b c',
    });
    expect(path.endpoint.host + path.path).toBe('127.0.0.1:4568/b-1/a/b%20c?x-id=HeadObject');
    delete process.env.AWS_ENDPOINT_URL_S3;
    const virtual = new S3Client({ forcePathStyle: false }).request('GetObject', {
      Bucket: 'b-1',
      Key: 'a/b',
      IfMatch: '"e"',
    });
    expect(virtual.endpoint.host + virtual.path).toBe(
      'b-1.s3.cn-north-1.amazonaws.com.cn/a/b?x-id=GetObject',
    );
    expect(virtual.headers).toEqual({ 'if-match': '"e"' });
  });

  it('carry the members a PutObject sets as headers, and no checksum unless one is given', () => {
    const req = new S3Client({ forcePathStyle: true }).request('PutObject', {
      Bucket: 'b',
      Key: 'k',
      Body: new Uint8Array([1, 2, 3]),
      ContentType: 'text/html',
      CacheControl: 'private, no-store',
      ChecksumSHA256: 'abc=',
    });
    expect(req.method).toBe('PUT');
    expect(req.headers).toEqual({
      'content-type': 'text/html',
      'cache-control': 'private, no-store',
      'x-amz-checksum-sha256': 'abc=',
    });
    expect(req.body).toEqual(Buffer.from([1, 2, 3]));
    expect(() => new S3Client().request('ListObjectsV2', { Bucket: 'b', Key: 'k' })).toThrow(/not supported/);
  });

  it('name errors as the SDK does: the XML Code, NotFound for a bodiless 404, else the status', () => {
    const xml = Buffer.from(
      '<?xml version="1.0"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
    );
    expect(s3Error({ status: 412, headers: {}, body: xml })).toMatchObject({
      name: 'PreconditionFailed',
      message: 'At least one of the pre-conditions you specified did not hold',
      $metadata: { httpStatusCode: 412 },
    });
    expect(s3Error({ status: 404, headers: {}, body: Buffer.alloc(0) })).toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    expect(s3Error({ status: 403, headers: {}, body: Buffer.alloc(0) })).toMatchObject({
      name: '403',
      $metadata: { httpStatusCode: 403 },
    });
    expect(
      s3Error({ status: 503, headers: {}, body: Buffer.from('<Error><Code>SlowDown</Code></Error>') }),
    ).toMatchObject({
      name: 'SlowDown',
      $fault: 'server',
    });
  });
});
