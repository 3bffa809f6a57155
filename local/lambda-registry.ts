/**
 * Loads the very Lambda entry files that deploy to AWS (functions/*.handler.ts, *.task.ts,
 * *.authorizer.ts) into this process and invokes them with a Lambda-like context. No second
 * implementation of the product: the dev server and the local state machine call these.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { runAsFunction } from '#adapters/aws-call-recorder.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
const loaded = new Map<string, Promise<LambdaHandler>>();

/** functions/<file> exists? (e.g. "authorize-caller.authorizer.ts") */
export function hasFunctionFile(file: string): boolean {
  return existsSync(join(repoRoot, 'functions', file));
}

function load(file: string): Promise<LambdaHandler> {
  let p = loaded.get(file);
  if (!p) {
    p = import(pathToFileURL(join(repoRoot, 'functions', file)).href).then(
      (m: { handler?: LambdaHandler }) => {
        if (typeof m.handler !== 'function') throw new Error(`functions/${file} exports no handler`);
        return m.handler;
      },
    );
    loaded.set(file, p);
  }
  return p;
}

export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Invokes functions/<file>'s handler as Lambda would (one event, one context). Its AWS SDK calls —
 * the module's init included, when this is its first invocation — are attributed to it when calls
 * are recorded (adapters/aws-call-recorder.ts, the IAM proof).
 */
export async function invokeFunction(file: string, event: unknown): Promise<unknown> {
  const name = file.split('.')[0]!;
  return runAsFunction(name, async () => {
    const handler = await load(file);
    return handler(event, lambdaContext(name));
  });
}
