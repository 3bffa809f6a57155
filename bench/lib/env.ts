/**
 * One local stack for a benchmark: the same `startLocalStack()` as `npm start` and the tests
 * (DynamoDB Local, s3rver, the Step Functions runtime, the dev server calling the real handlers
 * in-process), demo credentials, an HTTP client, and meters on the product's own SDK clients.
 *
 * A process can hold only one stack: the handlers cache their configuration and SDK clients per
 * process, exactly as a Lambda container does. bench/run.ts therefore gives each benchmark its own
 * process.
 */
import { performance } from 'node:perf_hooks';
import type { DemoCredentials } from '#local/setup/demo-credentials.ts';
import type { LocalStack } from '#local/stack.ts';
import { Api } from './http.ts';
import { Meters, type MiddlewareClient } from './meters.ts';
import { useDemoApplicants } from './portal.ts';

export interface ApiRequest {
  method: string;
  path: string;
  status: number;
  /** Dev-server time: authorizer (if any) + handler, as logged by the dev server (1 ms resolution). */
  ms: number;
  at: number;
}

export interface BenchStack {
  readonly stack: LocalStack;
  readonly api: Api;
  readonly meters: Meters;
  readonly creds: DemoCredentials;
  readonly tableName: string;
  readonly clients: { dynamo: MiddlewareClient; s3: MiddlewareClient; sfn: MiddlewareClient };
  /** Every request the dev server (our API Gateway) answered, in order. */
  onApiRequest(sink: (r: ApiRequest) => void): () => void;
  portalKey(i?: number): string;
  departmentToken(departmentId: string): string;
  stop(): Promise<void>;
}

export type Progress = (message: string) => void;

export const stderrProgress: Progress = (m) => process.stderr.write(`  ${m}\n`);

const REQUEST_LINE = /^(\w+) (\S+) → (\d{3}) \((\d+) ms\)$/;

export async function startBenchStack(progress: Progress = stderrProgress): Promise<BenchStack> {
  // The overdue sweep is a fixed-rate job (every 15 min in AWS), not work a request causes: keep its
  // local timer (every 60 s) from landing inside a measurement.
  process.env.LOCAL_SCHEDULE_EVERY_MS = '2000000000';
  process.env.AWS_SUPPRESS_NODE_DEPRECATION_WARNING = 'true';
  // What the stack sets for its handlers; set before anything imports the logger.
  process.env.LOG_LEVEL ??= 'WARN';
  const { startLocalStack } = await import('#local/stack.ts');
  const { createDemoCredentials } = await import('#local/setup/demo-credentials.ts');
  const sinks = new Set<(r: ApiRequest) => void>();
  const started = performance.now();
  const stack = await startLocalStack({
    city: 'changzhou',
    progress: (m) => progress(`stack: ${m}`),
    onRequest: (line) => {
      const m = REQUEST_LINE.exec(line);
      if (!m) return;
      const r = { method: m[1]!, path: m[2]!, status: Number(m[3]), ms: Number(m[4]), at: performance.now() };
      for (const s of sinks) s(r);
    },
  });
  try {
    const creds = await createDemoCredentials(stack);
    // The bench applies as demo applicants, with their tokens (applicant-scoped routes need them).
    useDemoApplicants(creds.applicants);
    // Imported only now: the product's clients read their endpoints from the environment the stack set.
    const { dynamo } = await import('#adapters/dynamodb/client.ts');
    const { s3 } = await import('#adapters/s3/client.ts');
    const { sfn } = await import('#adapters/sfn/workflow.ts');
    const clients = {
      dynamo: dynamo as unknown as MiddlewareClient,
      s3: s3 as unknown as MiddlewareClient,
      sfn: sfn as unknown as MiddlewareClient,
    };
    const meters = new Meters();
    // The webhook fan-out's stream reads (local/stream-poller.ts: DescribeStream, GetRecords…) stand
    // for the Lambda service's poller, not the product: they go through clients of their own, which
    // these meters never see — only enqueue-webhooks' own calls are counted.
    meters.install('dynamodb', clients.dynamo);
    meters.install('s3', clients.s3);
    meters.install('sfn', clients.sfn);
    stack.stepFunctions.on('historyEvent', () => meters.touch());
    progress(`stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s at ${stack.baseUrl}`);
    return {
      stack,
      api: new Api(stack.baseUrl),
      meters,
      creds,
      tableName: stack.env.TABLE_NAME!,
      clients,
      onApiRequest(sink) {
        sinks.add(sink);
        return () => sinks.delete(sink);
      },
      portalKey: (i = 0) => creds.portals[i]!.apiKey,
      departmentToken(departmentId) {
        const d = creds.departments.find((x) => x.id === departmentId);
        if (!d) throw new Error(`no demo credentials for department ${departmentId}`);
        return d.token;
      },
      stop: () => stack.stop(),
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
