/**
 * The lean client's request layer: SigV4 signatures equal the SDK's own SignatureV4 on the same
 * request (header-signed; presigned: s3.test.ts), endpoints resolve as the SDK resolves them (China regions
 * included), and retries follow the SDK's standard mode — counted on a local HTTP server, not timed.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonError } from './json-client.ts';
import {
  type AwsRequest,
  isRetryable,
  resolveEndpoint,
  retryDelayMs,
  SERVICES,
  sendRequest,
  signRequest,
} from './request.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const signingDate = new Date('2026-12-01T08:09:10Z');

const toBytes = (d: ArrayBuffer | ArrayBufferView) =>
  ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);

/** SHA-256 and HMAC for the SDK's signer, from node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = typeof secret === 'string' || secret === undefined ? secret : toBytes(secret);
    this.hash = key ? createHmac('sha256', key) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(typeof data === 'string' ? data : toBytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const sdkSigner = (service: string, region: string) =>
  new SignatureV4({
    credentials,
    region,
    service,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: service !== 's3',
  });

describe('signing', () => {
  it('signs a JSON-protocol request exactly as the SDK does (Authorization header)', async () => {
    const body = Buffer.from(
      JSON.stringify({ TableName: 't', Key: { pk: { S: 'CASE#c-1' }, sk: { S: 'META' } } }),
    );
    const req: AwsRequest = {
      service: SERVICES.dynamodb,
      region: 'cn-north-1',
      endpoint: new URL('https://dynamodb.cn-north-1.amazonaws.com.cn'),
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body,
    };
    const ours = signRequest(req, { credentials, now: signingDate });
    const { authorization, ...unsigned } = ours.headers;
    const theirs = await sdkSigner('dynamodb', 'cn-north-1').sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: ours.url.hostname,
        path: '/',
        query: {},
        headers: unsigned,
        body,
      },
      { signingDate },
    );
    expect(authorization).toBe(theirs.headers.authorization);
    expect(unsigned).toMatchObject({
      host: 'dynamodb.cn-north-1.amazonaws.com.cn',
      'x-amz-date': '20261201T080910Z',
      'x-amz-security-token': 'session-token',
      'content-length': String(body.length),
    });
  });

  it('reads the credentials from the environment at each request (they rotate)', () => {
    const req: AwsRequest = {
      service: SERVICES.sqs,
      region: 'us-east-1',
      endpoint: new URL('https://sqs.us-east-1.amazonaws.com'),
      method: 'POST',
      path: '/',
      headers: {},
      body: Buffer.from('{}'),
    };
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIDFIRST',
        AWS_SECRET_ACCESS_KEY: 's1',
        AWS_SESSION_TOKEN: 't1',
      });
      expect(signRequest(req).headers.authorization).toContain('Credential=AKIDFIRST/');
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIDSECOND',
        AWS_SECRET_ACCESS_KEY: 's2',
        AWS_SESSION_TOKEN: 't2',
      });
      const second = signRequest(req).headers;
      expect(second.authorization).toContain('Credential=AKIDSECOND/');
      expect(second['x-amz-security-token']).toBe('t2');
      delete process.env.AWS_ACCESS_KEY_ID;
      expect(() => signRequest(req)).toThrow(expect.objectContaining({ name: 'CredentialsProviderError' }));
    } finally {
      process.env = saved;
    }
  });
});

describe('endpoint resolution', () => {
  it('is the service variable, then AWS_ENDPOINT_URL, then the regional endpoint', () => {
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    };
    expect(resolveEndpoint(SERVICES.dynamodb, 'us-east-1', env).href).toBe('http://127.0.0.1:8000/');
    expect(resolveEndpoint(SERVICES.sfn, 'us-east-1', env).href).toBe('http://127.0.0.1:4566/');
    expect(
      resolveEndpoint(SERVICES.secretsmanager, 'us-east-1', {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://sm.local:1',
      }).href,
    ).toBe('http://sm.local:1/');
    expect(resolveEndpoint(SERVICES.sfn, 'eu-west-1', {}).href).toBe(
      'https://states.eu-west-1.amazonaws.com/',
    );
    expect(resolveEndpoint(SERVICES.kms, 'us-east-1', {}).href).toBe('https://kms.us-east-1.amazonaws.com/');
    expect(
      resolveEndpoint(SERVICES.dynamodb, 'us-east-1', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })
        .href,
    ).toBe('https://dynamodb.us-east-1.amazonaws.com/');
  });

  it('uses amazonaws.com.cn in the China regions', () => {
    expect(resolveEndpoint(SERVICES.dynamodb, 'cn-north-1', {}).href).toBe(
      'https://dynamodb.cn-north-1.amazonaws.com.cn/',
    );
    expect(resolveEndpoint(SERVICES.s3, 'cn-northwest-1', {}).href).toBe(
      'https://s3.cn-northwest-1.amazonaws.com.cn/',
    );
    expect(resolveEndpoint(SERVICES.sqs, 'cn-northwest-1', {}).host).toBe(
      'sqs.cn-northwest-1.amazonaws.com.cn',
    );
  });
});

// ── retries, against a local server that answers from a script ─────────────────────────────────

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset' | 'hang';
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function scripted(answers: Answer[]): Promise<{ endpoint: URL; seen: () => number }> {
  let seen = 0;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const answer = answers[Math.min(seen, answers.length - 1)]!;
    seen++;
    if (answer === 'reset') return req.socket.destroy();
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { endpoint: new URL(`http://127.0.0.1:${port}`), seen: () => seen };
}

const FAST = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const post = (endpoint: URL, timeoutMs?: number) =>
  sendRequest(
    {
      service: SERVICES.dynamodb,
      region: 'us-east-1',
      endpoint,
      method: 'POST',
      path: '/',
      headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      body: Buffer.from('{}'),
    },
    {
      toError: jsonError,
      retry: FAST,
      sign: (r) => signRequest(r, { credentials }),
      ...(timeoutMs ? { timeoutMs } : {}),
    },
  );

describe('retries (standard mode: 3 attempts)', () => {
  it('retries throttling, 5xx and reset connections, and answers the success that follows', async () => {
    const { endpoint, seen } = await scripted([
      {
        status: 400,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' },
      },
      'reset',
      { status: 200, body: { Item: { pk: { S: 'a' } } } },
    ]);
    const res = await post(endpoint);
    expect(res.status).toBe(200);
    expect(seen()).toBe(3);
  });

  it('gives up after 3 attempts with the last error, its status and the attempts', async () => {
    const { endpoint, seen } = await scripted([
      { status: 503, body: { __type: 'ServiceUnavailable', message: 'down' } },
    ]);
    await expect(post(endpoint)).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503, attempts: 3 },
    });
    expect(seen()).toBe(3);
  });

  it('never retries a client error (a failed condition, a validation error)', async () => {
    for (const code of [
      'ConditionalCheckFailedException',
      'ValidationException',
      'TransactionCanceledException',
    ]) {
      const { endpoint, seen } = await scripted([
        { status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${code}` } },
      ]);
      await expect(post(endpoint)).rejects.toMatchObject({
        name: code,
        $metadata: { httpStatusCode: 400, attempts: 1 },
      });
      expect(seen()).toBe(1);
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
    }
    server = undefined;
  });

  it('times a hung request out (TimeoutError) and retries it', async () => {
    const { endpoint, seen } = await scripted(['hang', { status: 200, body: {} }]);
    const res = await post(endpoint, 200);
    expect(res.status).toBe(200);
    expect(seen()).toBe(2);
  });

  it('classifies as the SDK does', () => {
    const status = (s: number, name = 'X') => ({ name, $metadata: { httpStatusCode: s } });
    expect(isRetryable(status(500))).toBe(true);
    expect(isRetryable(status(429))).toBe(true);
    expect(isRetryable(status(400, 'ProvisionedThroughputExceededException'))).toBe(true);
    expect(isRetryable(status(503, 'SlowDown'))).toBe(true);
    expect(isRetryable(status(400, 'TransactionConflictException'))).toBe(false);
    expect(isRetryable(status(403, 'AccessDeniedException'))).toBe(false);
    expect(isRetryable(status(404, 'NotFound'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(isRetryable(new Error('a bug'))).toBe(false);
  });

  it('backs off with full jitter: [0, base · 2^retry), capped', () => {
    const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 20_000 };
    expect(retryDelayMs(policy, 0, () => 0.999)).toBe(99);
    expect(retryDelayMs(policy, 1, () => 0.999)).toBe(199);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(0);
    expect(retryDelayMs(policy, 20, () => 0.5)).toBe(10_000);
  });
});
