/**
 * Every Lambda of the system, as data: the HTTP routes (one handler file each,
 * functions/<name>.handler.ts, whose `route` export is its whole spec) and the state machine's task
 * functions (functions/<name>.task.ts). The CDK stack, the local dev server, the OpenAPI document
 * and the route-matrix test all read these, so a route cannot exist in one place and be missing in
 * another — and a new route is its handler file: nothing to add here.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyRouteSpec, Needs } from '#adapters/http/route.ts';

export type { CallerKind } from '#adapters/http/route.ts';
export type HttpRoute = AnyRouteSpec;

const functionsDir = dirname(fileURLToPath(import.meta.url));

/**
 * The spec of every functions/*.handler.ts, by file name. A handler file without a `route`, or
 * whose route is named otherwise than its file, stops everything that reads the table.
 */
export async function loadHttpRoutes(dir = functionsDir): Promise<HttpRoute[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.handler.ts'))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const name = file.slice(0, -'.handler.ts'.length);
      const m = (await import(pathToFileURL(join(dir, file)).href)) as { route?: HttpRoute };
      if (!m.route) throw new Error(`functions/${file} exports no \`route\` (its RouteSpec)`);
      if (m.route.name !== name)
        throw new Error(`functions/${file} declares the route "${m.route.name}": name it "${name}"`);
      return m.route;
    }),
  );
}

export const httpRoutes: readonly HttpRoute[] = await loadHttpRoutes();

export interface TaskFunction {
  /** functions/<name>.task.ts; its ARN reaches the ASL as ${<PascalName>FunctionArn}. */
  readonly name: string;
  /**
   * The AWS access it needs (adapters/http/route.ts `Needs`). @default TASK_NEEDS: the flow steps
   * read and write cases and tasks, nothing else.
   */
  readonly needs?: Needs;
}

/** What a task function gets unless its row says otherwise. */
export const TASK_NEEDS: Needs = { table: 'write' };

export const taskFunctions = [
  // Answers its own wait at once when the answer came first (openTask: workflow.succeed).
  { name: 'open-task', needs: { table: 'write', workflow: ['callback'] } },
  { name: 'record-acceptance' },
  { name: 'plan-next-stage' },
  { name: 'resume-after-supplement', needs: { table: 'read' } },
  { name: 'close-unanswered' },
  { name: 'escalate-task' },
  // Issue And Deliver Licenses: the license files and signatures, then the delivery (the table).
  { name: 'issue-licenses', needs: { table: 'write', files: 'write', signing: 'sign' } },
  // The old definition's Deliver Results, kept for the executions started on it (its file says until when).
  { name: 'deliver-results' },
  { name: 'record-failure' },
] as const satisfies readonly TaskFunction[];

export interface ScheduledFunction {
  /** functions/<name>.scheduled.ts */
  readonly name: string;
  /** EventBridge schedule expression in AWS; the local stack runs it every `localEveryMs`. */
  readonly schedule: string;
  readonly localEveryMs: number;
  readonly needs: Needs;
}

export const scheduledFunctions = [
  { name: 'mark-overdue', schedule: 'rate(15 minutes)', localEveryMs: 60_000, needs: { table: 'write' } },
] as const satisfies readonly ScheduledFunction[];

export interface EventFunction {
  /** functions/<name>.<kind>.ts */
  readonly name: string;
  /** `stream`: DynamoDB Streams of the table; `queue`: an SQS queue (both AWS only). */
  readonly kind: 'stream' | 'queue';
  /** Its table access; the stream, the queue and their key are granted with their wiring. */
  readonly needs: Needs;
}

/**
 * Webhook delivery in AWS: the outbox items of the table's stream → enqueue-webhooks → SQS →
 * deliver-webhook. Locally, local/webhook-dispatcher.ts reads DynamoDB Local's stream the same way
 * and invokes enqueue-webhooks, then runs deliver-webhook's use case on timers. The stack wires
 * these two explicitly (stream source, queue, DLQ).
 */
export const eventFunctions = [
  // Reads the webhooks of the event's audience (and a case's portal when the event does not name it).
  { name: 'enqueue-webhooks', kind: 'stream', needs: { table: 'read' } },
  // Reads the webhook, writes a dead-letter item after the last try.
  { name: 'deliver-webhook', kind: 'queue', needs: { table: 'write' } },
] as const satisfies readonly EventFunction[];

/** "open-task" → "OpenTaskFunctionArn": the definitionSubstitutions key for a task function. */
export function substitutionKey(name: string): string {
  return `${pascal(name)}FunctionArn`;
}

/** "open-task" → "OpenTask": construct ids and substitution keys. */
export function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
