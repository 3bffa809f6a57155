import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SfnError } from './errors.ts';
import type { ExecutionStatus, LocalStepFunctions } from './runtime.ts';

export interface StepFunctionsEndpoint {
  /** Give this to `new SFNClient({ endpoint })` or set it as AWS_ENDPOINT_URL_SFN. */
  url: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Operation = (runtime: LocalStepFunctions, body: Body) => Promise<unknown>;

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The AWS JSON 1.0 operations @aws-sdk/client-sfn sends (POST /, `x-amz-target: AWSStepFunctions.<Op>`),
 * mapped onto the runtime. Field names are the API's own, so application code keeps using the real
 * SFNClient, pointed here by endpoint, exactly as it would on AWS.
 */
const operations: Record<string, Operation> = {
  CreateStateMachine: (rt, b) =>
    rt.createStateMachine({
      name: required(b, 'name'),
      definition: required(b, 'definition'),
      roleArn: optional(b, 'roleArn'),
      type: optional(b, 'type') as 'STANDARD' | 'EXPRESS' | undefined,
    }),
  UpdateStateMachine: (rt, b) =>
    rt.updateStateMachine({
      stateMachineArn: required(b, 'stateMachineArn'),
      definition: optional(b, 'definition'),
      roleArn: optional(b, 'roleArn'),
    }),
  DescribeStateMachine: (rt, b) =>
    rt.describeStateMachine({ stateMachineArn: required(b, 'stateMachineArn') }),
  ListStateMachines: (rt) => rt.listStateMachines(),
  StartExecution: (rt, b) =>
    rt.startExecution({
      stateMachineArn: required(b, 'stateMachineArn'),
      name: optional(b, 'name'),
      input: optional(b, 'input'),
    }),
  DescribeExecution: (rt, b) => rt.describeExecution({ executionArn: required(b, 'executionArn') }),
  ListExecutions: (rt, b) =>
    rt.listExecutions({
      stateMachineArn: required(b, 'stateMachineArn'),
      statusFilter: optional(b, 'statusFilter') as ExecutionStatus | undefined,
      maxResults: optionalNumber(b, 'maxResults'),
      nextToken: optional(b, 'nextToken'),
    }),
  GetExecutionHistory: (rt, b) =>
    rt.getExecutionHistory({
      executionArn: required(b, 'executionArn'),
      reverseOrder: b.reverseOrder === true,
      maxResults: optionalNumber(b, 'maxResults'),
      nextToken: optional(b, 'nextToken'),
    }),
  StopExecution: (rt, b) =>
    rt.stopExecution({
      executionArn: required(b, 'executionArn'),
      error: optional(b, 'error'),
      cause: optional(b, 'cause'),
    }),
  SendTaskSuccess: (rt, b) =>
    rt.sendTaskSuccess({ taskToken: required(b, 'taskToken'), output: required(b, 'output') }),
  SendTaskFailure: (rt, b) =>
    rt.sendTaskFailure({
      taskToken: required(b, 'taskToken'),
      error: optional(b, 'error'),
      cause: optional(b, 'cause'),
    }),
  SendTaskHeartbeat: (rt, b) => rt.sendTaskHeartbeat({ taskToken: required(b, 'taskToken') }),
};

export async function startStepFunctionsEndpoint(
  runtime: LocalStepFunctions,
  { port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {},
): Promise<StepFunctionsEndpoint> {
  const server = createServer((req, res) => {
    void handle(runtime, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostPart}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(runtime: LocalStepFunctions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX)
      ? operations[target.slice(TARGET_PREFIX.length)]
      : undefined;
    if (req.method !== 'POST' || !operation) {
      req.resume(); // drain the body so the connection can be reused
      return send(res, 400, {
        __type: 'UnknownOperationException',
        message: `Unknown operation '${target}'`,
      });
    }
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON' });
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return send(res, 400, {
        __type: 'SerializationException',
        message: 'Request body must be a JSON object',
      });
    }
    const result = await operation(runtime, body as Body);
    send(res, 200, toWire(result));
  } catch (error) {
    if (error instanceof SfnError) {
      send(res, 400, { __type: error.name, message: error.message });
    } else {
      // A local development tool: the message helps more than it could leak.
      send(res, 500, {
        __type: 'InternalFailure',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload ?? {});
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SfnError('ValidationException', 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** AWS JSON 1.0 sends timestamps as epoch seconds (fractions allowed). */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toWire(v)]),
    );
  }
  return value;
}

function required(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw new SfnError('ValidationException', `'${field}' must be a string`);
  return value;
}

function optional(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnError('ValidationException', `'${field}' must be a string`);
  return value;
}

function optionalNumber(body: Body, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new SfnError('ValidationException', `'${field}' must be a number`);
  return value;
}
