/**
 * The chaos test's stack: the same local stack as `npm start -- --persist` (local/stack.ts), run
 * in its own process so the test can stop it gracefully (SIGINT/SIGTERM, as Ctrl-C does) or kill it
 * outright (SIGKILL) and start it again on the same data. Before any request it wraps the
 * adapters' SDK clients in THIS process — the clients every handler and every Step Functions task
 * Lambda of the stack use (local/lambda-registry.ts imports the very same modules) — so faults are
 * injected where the calls are made:
 *
 *  - in an HTTP request's path: the test names the fault in the `x-chaos-fault` header
 *    ("ddb/2/ThrottlingException": the 2nd DynamoDB call of this request fails); the response
 *    carries `x-chaos-injected` with what was injected, so the test knows which 503s are allowed.
 *    The request's calls are told apart from everything else with an AsyncLocalStorage entered
 *    when the dev server receives the request.
 *  - in the background (task Lambdas, the outbox dispatcher, timers): with the rate the test sets
 *    over IPC, from a PRNG seeded by CHAOS_SEED and the restart generation, at most
 *    BACKGROUND_BUDGET_PER_CASE times per case — fewer than the state machine's retries (3), so a
 *    fault burst the design promises to absorb never exhausts them.
 *
 * Every injected fault is reported to the test over IPC. Run by test/chaos/chaos.int.test.ts:
 *   node --import tsx test/chaos/stack-process.ts   (env: CHAOS_SEED, CHAOS_GENERATION,
 *   CHAOS_PERSIST_DIR, CHAOS_LOCAL_DIR, PORT)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { writeDemoCredentials } from '../../local/setup/demo-credentials.ts';
import { startLocalStack } from '../../local/stack.ts';
import {
  decodeFault,
  ERRORS_HEADER,
  FAULT_HEADER,
  type FaultKind,
  INJECTED_HEADER,
  KINDS,
  Prng,
  REQUEST_ID_HEADER,
  type RequestFault,
  type Service,
  sdkError,
  seedOf,
} from './faults.ts';

export const BACKGROUND_BUDGET_PER_CASE = 2;

/** Messages to the test. */
export type FromStack =
  | { t: 'ready'; baseUrl: string; env: Record<string, string>; credentialsFile: string; generation: number }
  | {
      t: 'fault';
      path: 'request' | 'background';
      requestId?: string;
      service: Service;
      kind: FaultKind;
      command: string;
    };
/** Messages from the test. */
export type ToStack = { t: 'background'; rate: number };

interface RequestContext {
  readonly id: string | null;
  readonly plan: RequestFault | undefined;
  readonly calls: Record<Service, number>;
  readonly injected: string[];
  /** Errors the real services answered in this request's path (not injected): for diagnosis. */
  readonly errors: string[];
}

/** Errors that are answers, not failures: a condition that did not hold, a missing object. */
const ANSWERS = new Set([
  'ConditionalCheckFailedException',
  'TransactionCanceledException',
  'NoSuchKey',
  'NotFound',
  'ExecutionAlreadyExists',
]);

const seed = process.env.CHAOS_SEED ?? '1';
const generation = Number(process.env.CHAOS_GENERATION ?? '0');
const persistDir = process.env.CHAOS_PERSIST_DIR;
const localDir = process.env.CHAOS_LOCAL_DIR;
if (!persistDir || !localDir) throw new Error('CHAOS_PERSIST_DIR and CHAOS_LOCAL_DIR are required');

const requests = new AsyncLocalStorage<RequestContext>();
const background = { rate: 0, prng: new Prng(seedOf(seed, 'background', generation)) };
const perCase = new Map<string, number>();
const tell = (m: FromStack) => {
  if (process.connected) process.send?.(m);
};

// Every request any server of this process receives runs in its own context. Only the dev server's
// requests from the test carry an id; the Step Functions endpoint's and s3rver's do not, so what
// they set off (task Lambdas) counts as background.
const emit = http.Server.prototype.emit as (
  this: http.Server,
  event: string | symbol,
  ...args: unknown[]
) => boolean;
http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
  if (event !== 'request') return emit.apply(this, [event, ...args]);
  const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
  const id = req.headers[REQUEST_ID_HEADER];
  const header = req.headers[FAULT_HEADER];
  const context: RequestContext = {
    id: typeof id === 'string' ? id : null,
    plan: decodeFault(typeof header === 'string' ? header : undefined),
    calls: { ddb: 0, s3: 0, sfn: 0 },
    injected: [],
    errors: [],
  };
  if (context.id) {
    const writeHead = res.writeHead;
    res.writeHead = function (this: http.ServerResponse, ...a: unknown[]) {
      if (context.injected.length) this.setHeader(INJECTED_HEADER, context.injected.join(','));
      if (context.errors.length) this.setHeader(ERRORS_HEADER, context.errors.join(',').slice(0, 2000));
      return (writeHead as (...x: unknown[]) => http.ServerResponse).apply(this, a);
    } as typeof res.writeHead;
  }
  return requests.run(context, () => emit.apply(this, [event, ...args]));
} as typeof http.Server.prototype.emit;

/** A case id: random (c- + 26 Crockford base32), or derived as before (c- + 24 base32). */
const CASE_ID = /c-(?:[0-9a-hjkmnp-tv-z]{26}|[a-z2-7]{24})/;

function choose(
  service: Service,
  command: { constructor: { name: string }; input?: unknown },
): FaultKind | undefined {
  const context = requests.getStore();
  const name = command.constructor.name;
  if (context?.id) {
    context.calls[service]++;
    const plan = context.plan;
    if (!plan || plan.service !== service || plan.nth !== context.calls[service]) return undefined;
    context.injected.push(`${service}:${name}:${plan.kind}`);
    tell({ t: 'fault', path: 'request', requestId: context.id, service, kind: plan.kind, command: name });
    return plan.kind;
  }
  if (background.rate <= 0 || !background.prng.chance(background.rate)) return undefined;
  const caseId = CASE_ID.exec(JSON.stringify(command.input ?? {}))?.[0];
  if (caseId) {
    const used = perCase.get(caseId) ?? 0;
    if (used >= BACKGROUND_BUDGET_PER_CASE) return undefined;
    perCase.set(caseId, used + 1);
  }
  const kind = background.prng.pick(KINDS);
  tell({ t: 'fault', path: 'background', service, kind, command: name });
  return kind;
}

type Sendable = { send(command: unknown, ...rest: unknown[]): Promise<unknown> };

function inject(service: Service, client: Sendable): void {
  const original = client.send.bind(client);
  client.send = async (command: unknown, ...rest: unknown[]) => {
    const kind = choose(service, command as { constructor: { name: string } });
    if (!kind)
      return original(command, ...rest).catch((err: Error) => {
        const context = requests.getStore();
        if (context?.id && !ANSWERS.has(err.name))
          context.errors.push(
            `${service}:${(command as object).constructor.name}:${err.name}:${err.message.replace(/[^\w .:-]/g, ' ').slice(0, 120)}`,
          );
        throw err;
      });
    if (kind === 'LostResponse') {
      await original(command, ...rest); // done by the service, answer lost on the way back
      throw sdkError(service, kind);
    }
    if (kind === 'TimeoutError')
      await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 120)));
    throw sdkError(service, kind);
  };
}

async function main() {
  mkdirSync(localDir!, { recursive: true });
  const stack = await startLocalStack({ city: 'changzhou', port: Number(process.env.PORT ?? 0), persistDir });
  // The adapters' module-scope clients, loaded now that the stack's environment is in place (the
  // S3 client reads S3_FORCE_PATH_STYLE when its module loads). Same module instances as the
  // handlers': the registry imports functions/*.ts by file URL, which resolve to these files.
  const [{ dynamo }, { s3 }, { sfn }] = await Promise.all([
    import('#adapters/dynamodb/client.ts'),
    import('#adapters/s3/client.ts'),
    import('#adapters/sfn/workflow.ts'),
  ]);
  inject('ddb', dynamo as unknown as Sendable);
  inject('s3', s3 as unknown as Sendable);
  inject('sfn', sfn as unknown as Sendable);
  const credentialsFile = join(localDir!, 'credentials.json');
  await writeDemoCredentials(stack, credentialsFile);

  process.on('message', (m: ToStack) => {
    if (m.t === 'background') background.rate = m.rate;
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    background.rate = 0;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop()); // the test went away: do not outlive it
  tell({ t: 'ready', baseUrl: stack.baseUrl, env: { ...stack.env }, credentialsFile, generation });
}

main().catch((err: Error) => {
  process.stderr.write(`chaos stack failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
