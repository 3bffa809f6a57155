/**
 * The JSON-protocol clients against a local HTTP server standing in for the service: the wire
 * request (target, content type, base64 blobs), SDK-shaped errors (name from __type or the
 * header, every body field copied, $metadata), the initialize-step middleware stack as the SDK
 * runs it, and the SDK's own command objects taken by name.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand as SdkGetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { StartExecutionCommand as SdkStartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonError } from './json-client.ts';
import { KMSClient, SignCommand } from './kms.ts';
import type { Middleware } from './middleware.ts';
import { SecretsManagerClient } from './secrets-manager.ts';
import { SFNClient, StartExecutionCommand } from './sfn.ts';

interface Seen {
  target: string;
  contentType: string;
  body: Record<string, unknown>;
  authorization: string;
}
const seen: Seen[] = [];
let answer: { status: number; body: unknown; headers?: Record<string, string> } = { status: 200, body: {} };
let server: Server;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        target: String(req.headers['x-amz-target']),
        contentType: String(req.headers['content-type']),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        authorization: String(req.headers.authorization),
      });
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // Service endpoints the test run's local stack put in the environment would win over ours.
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL_')) delete process.env[k];
  Object.assign(process.env, {
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
});
afterAll(async () => {
  process.env = { ...saved };
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
  answer = { status: 200, body: {} };
});

describe('the wire', () => {
  it('POSTs the operation with its target and JSON version, signed for the service', async () => {
    answer = {
      status: 200,
      body: { executionArn: 'arn:aws-cn:states:cn-north-1:1:execution:m:c-1', startDate: 1 },
    };
    const out = await new SFNClient().send(
      new StartExecutionCommand({ stateMachineArn: 'arn:m', name: 'c-1', input: '{}' }),
    );
    expect(out.executionArn).toBe('arn:aws-cn:states:cn-north-1:1:execution:m:c-1');
    expect(out.startDate).toEqual(new Date(1000)); // epoch seconds → Date, as the SDK gives it
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(seen[0]).toMatchObject({
      target: 'AWSStepFunctions.StartExecution',
      contentType: 'application/x-amz-json-1.0',
      body: { stateMachineArn: 'arn:m', name: 'c-1', input: '{}' },
    });
    expect(seen[0]!.authorization).toMatch(/Credential=AKIDTEST\/\d{8}\/cn-north-1\/states\/aws4_request/);
  });

  it('carries KMS blobs as base64 both ways (JSON 1.1)', async () => {
    answer = { status: 200, body: { Signature: Buffer.from([0x30, 1, 2]).toString('base64'), KeyId: 'k' } };
    const out = await new KMSClient().send(
      new SignCommand({
        KeyId: 'k',
        Message: new Uint8Array([104, 105]),
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(seen[0]).toMatchObject({
      target: 'TrentService.Sign',
      contentType: 'application/x-amz-json-1.1',
      body: { Message: 'aGk=' },
    });
    expect(out.Signature).toEqual(new Uint8Array([0x30, 1, 2]));
  });

  it("takes the SDK's own command objects, by their name", async () => {
    answer = { status: 200, body: { SecretString: 's3cret' } };
    const out = await new SecretsManagerClient().send(
      new SdkGetSecretValueCommand({ SecretId: 'arn:secret' }),
    );
    expect(out.SecretString).toBe('s3cret');
    expect(seen[0]).toMatchObject({
      target: 'secretsmanager.GetSecretValue',
      body: { SecretId: 'arn:secret' },
    });
    await new SFNClient().send(new SdkStartExecutionCommand({ stateMachineArn: 'arn:m' }));
    expect(seen[1]!.target).toBe('AWSStepFunctions.StartExecution');
    await expect(new SFNClient().send({ input: {} })).rejects.toThrow(/Not a command/);
  });
});

describe('errors', () => {
  it('are named by __type (after #), carry the message, every other field and $metadata', async () => {
    answer = {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      },
    };
    const err = await new SFNClient({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
      .send(new StartExecutionCommand({ stateMachineArn: 'arn:m' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'TransactionCanceledException',
      message: expect.stringContaining('cancellation reasons'),
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      $metadata: { httpStatusCode: 400, attempts: 1 },
      $fault: 'client',
    });
  });

  it("take the code from x-amzn-ErrorType when the body has none; SQS's query-compatible code is Code", () => {
    const res = (headers: Record<string, string>, body: unknown = {}) => ({
      status: 400,
      headers,
      body: Buffer.from(JSON.stringify(body)),
    });
    expect(
      jsonError(res({ 'x-amzn-errortype': 'ExecutionAlreadyExists:http://internal.amazon.com/' })).name,
    ).toBe('ExecutionAlreadyExists');
    expect(
      jsonError(
        res(
          { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
          { __type: 'com.amazonaws.sqs#QueueDoesNotExist' },
        ),
      ),
    ).toMatchObject({ name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect(jsonError(res({}, { __type: 'TaskTimedOut', message: 'Task Timed Out' }))).toMatchObject({
      name: 'TaskTimedOut',
      message: 'Task Timed Out',
    });
    expect(
      jsonError({ status: 502, headers: {}, body: Buffer.from('<html>bad gateway</html>') }),
    ).toMatchObject({
      name: 'InternalServerError',
      $metadata: { httpStatusCode: 502 },
      $fault: 'server',
    });
  });
});

describe('the middleware stack (initialize step)', () => {
  it('runs high priority first, then in the order added; each sees the command name, the input and the output', async () => {
    answer = { status: 200, body: { executionArn: 'arn:e' } };
    const client = new SFNClient();
    const order: string[] = [];
    const named =
      (name: string): Middleware =>
      (next, context) =>
      async (args) => {
        order.push(`${name}>${context.commandName}`);
        const result = await next(args);
        order.push(`${name}<${String(result.output.executionArn)}`);
        return result;
      };
    client.middlewareStack.add(named('normal'), { step: 'initialize', name: 'normal' });
    client.middlewareStack.add(named('high'), { step: 'initialize', name: 'high', priority: 'high' });
    client.middlewareStack.add(
      (next) => async (args) => next({ ...args, input: { ...args.input, name: 'renamed' } }),
      { step: 'initialize', name: 'rewrite', priority: 'low' },
    );
    await client.send(new StartExecutionCommand({ stateMachineArn: 'arn:m', name: 'c-1' }));
    expect(order).toEqual([
      'high>StartExecutionCommand',
      'normal>StartExecutionCommand',
      'normal<arn:e',
      'high<arn:e',
    ]);
    expect(seen[0]!.body.name).toBe('renamed'); // what a middleware passes on is what is sent
    expect(() => client.middlewareStack.add(named('x'), { step: 'initialize', name: 'high' })).toThrow(
      /Duplicate/,
    );
    expect(client.middlewareStack.remove('rewrite')).toBe(true);
    await client.send(new StartExecutionCommand({ stateMachineArn: 'arn:m', name: 'c-2' }));
    expect(seen[1]!.body.name).toBe('c-2');
  });

  it('lets a middleware see a failure', async () => {
    answer = { status: 400, body: { __type: 'ExecutionAlreadyExists', message: 'exists' } };
    const client = new SFNClient();
    const failures: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) =>
        next(args).catch((err: Error) => {
          failures.push(err.name);
          throw err;
        }),
      { step: 'initialize', name: 'watch' },
    );
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: 'arn:m' }))).rejects.toThrow(
      'exists',
    );
    expect(failures).toEqual(['ExecutionAlreadyExists']);
  });
});
