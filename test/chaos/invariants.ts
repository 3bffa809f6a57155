/**
 * The invariants the chaos test checks once the faults have stopped and the cases have settled:
 * over what is stored (the table and the executions) and over what the clients were answered.
 * `collect` reads the stack's state; the checks are pure functions of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Attempt, Exchange } from './client.ts';

export interface StoredCase {
  readonly caseId: string;
  readonly status: string;
  readonly executionArn?: string;
}
export interface StoredTask {
  readonly caseId: string;
  readonly taskId: string;
  readonly kind: string;
  readonly status: string;
}
export interface StoredEvent {
  readonly caseId: string;
  readonly at: string;
  readonly event: string;
}
export interface StoredOutboxEvent {
  readonly caseId: string;
  readonly eventId: string;
  readonly status: string;
  readonly previousStatus?: string;
  readonly occurredAt: string;
}
export interface Snapshot {
  readonly cases: StoredCase[];
  readonly tasks: StoredTask[];
  readonly timeline: StoredEvent[];
  readonly outbox: StoredOutboxEvent[];
  /** Every execution by name: the live runtime's, and those of earlier runs (executions.json). */
  readonly executions: Map<string, { status: string; arn?: string }>;
}

export interface Violation {
  readonly invariant: string;
  readonly detail: string;
}

export const INVARIANTS = [
  'one execution per case',
  'no execution without a case',
  'no pending task on a final case',
  'every accepted case reaches a final status',
  'no case the client was not given',
  'one outbox event per status change',
  'no 5xx for a client mistake',
  'a 503 only when a fault was injected into that request',
  'no 5xx but 503',
  'valid credentials are never refused',
  'a retried write is answered as the first',
  'every step of a case is answered as a portal expects',
  'a graceful stop completes',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

const FINAL = new Set(['issued', 'rejected', 'withdrawn']);
/** Timeline entries written by a transaction that changes the case's status (and so adds an outbox event). */
const STATUS_EVENTS = new Set([
  'submitted',
  'accepted',
  'correction_requested',
  'supplemented',
  'refused',
  'rejected',
  'correction_expired',
  'issued',
  'withdrawn',
]);

const v = (invariant: Invariant, detail: string): Violation => ({ invariant, detail });

/** Over the stored state: executions, tasks, statuses, outbox. `accepted`: cases the client got a 2xx for. */
export function checkState(s: Snapshot, accepted: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const caseIds = new Set(s.cases.map((c) => c.caseId));
  for (const c of s.cases) {
    const exec = s.executions.get(c.caseId);
    // The execution is named by the case id (nothing about it is recorded on the case).
    if (!exec) out.push(v('one execution per case', `${c.caseId} (${c.status}) has no execution`));
    if (exec?.status === 'RUNNING' && FINAL.has(c.status))
      out.push(v('one execution per case', `${c.caseId} is ${c.status} but its execution still runs`));
    if (!FINAL.has(c.status) && accepted.has(c.caseId))
      out.push(
        v(
          'every accepted case reaches a final status',
          `${c.caseId} is still ${c.status} (execution ${exec?.status ?? 'none'})`,
        ),
      );
    if (!accepted.has(c.caseId))
      out.push(
        v(
          'no case the client was not given',
          `${c.caseId} (${c.status}) exists, but no submission was answered with it`,
        ),
      );
  }
  for (const id of accepted)
    if (!caseIds.has(id))
      out.push(v('every accepted case reaches a final status', `${id} was answered 2xx but is not stored`));
  for (const [name, e] of s.executions)
    if (!caseIds.has(name))
      out.push(v('no execution without a case', `execution ${name} (${e.status}) has no case`));

  const statusOf = new Map(s.cases.map((c) => [c.caseId, c.status]));
  for (const t of s.tasks)
    if (t.status === 'pending' && FINAL.has(statusOf.get(t.caseId) ?? ''))
      out.push(
        v(
          'no pending task on a final case',
          `${t.taskId} (${t.kind}) is pending on a ${statusOf.get(t.caseId)} case`,
        ),
      );

  for (const c of s.cases) {
    const changes = s.timeline.filter((e) => e.caseId === c.caseId && STATUS_EVENTS.has(e.event));
    const events = inOrder(s.outbox.filter((e) => e.caseId === c.caseId));
    const chain = events.map((e) => e.status).join(' → ');
    if (events.length !== changes.length)
      out.push(
        v(
          'one outbox event per status change',
          `${c.caseId}: ${changes.length} status changes (${changes.map((e) => e.event).join(', ')}) but ${events.length} outbox events (${chain})`,
        ),
      );
    let previous: string | undefined;
    for (const e of events) {
      if (e.previousStatus !== previous) {
        out.push(
          v('one outbox event per status change', `${c.caseId}: outbox ${chain} is not one chain of changes`),
        );
        break;
      }
      previous = e.status;
    }
    if (events.length && previous !== c.status)
      out.push(
        v(
          'one outbox event per status change',
          `${c.caseId} is ${c.status} but its last outbox event says ${previous}`,
        ),
      );
  }
  return out;
}

/**
 * Outbox events by time; events of the same millisecond in the order that chains them (each names
 * the status before it), so a tie is not mistaken for a broken chain.
 */
function inOrder(events: readonly StoredOutboxEvent[]): StoredOutboxEvent[] {
  const left = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  const out: StoredOutboxEvent[] = [];
  let previous: string | undefined;
  while (left.length) {
    const first = left[0]!.occurredAt;
    const i = left.findIndex((e) => e.occurredAt === first && e.previousStatus === previous);
    const [next] = left.splice(Math.max(0, i), 1);
    out.push(next!);
    previous = next!.status;
  }
  return out;
}

/** Labels of writes whose retry must get the first answer (not "already done"). */
const RETRIED_WRITES = /^(submit|supplement|withdraw|decide (acceptance|review))$/;

/** Over what the clients were answered. */
export function checkAnswers(
  exchanges: readonly Exchange[],
  stops: readonly { from: number; to: number }[],
): Violation[] {
  const out: Violation[] = [];
  // A stack being stopped loses its dependencies (Ctrl-C reaches DynamoDB Local too): a 503 then
  // is the truth, and a fault of the schedule's own making.
  const duringStop = (a: Attempt) => stops.some((s) => a.sentAt <= s.to && a.at >= s.from);
  const where = (e: Exchange, i?: number) =>
    `${e.method} ${e.path} (${e.label}, ${e.actor}${i === undefined ? '' : `, attempt ${i + 1}`})`;
  for (const e of exchanges) {
    e.attempts.forEach((a, i) => {
      if (a.status === 'network') return;
      if (a.status >= 500 && a.status !== 503)
        out.push(
          v(
            'no 5xx but 503',
            `${where(e, i)} answered ${a.status}${a.injected.length ? ` (injected ${a.injected})` : ''}: ${a.why}`,
          ),
        );
      if (a.status === 503 && !a.injected.length && !duringStop(a))
        out.push(
          v(
            'a 503 only when a fault was injected into that request',
            `${where(e, i)} answered 503 with no fault in its path: ${a.why}`,
          ),
        );
      if ((a.status === 401 || a.status === 403) && e.validCredentials)
        out.push(
          v(
            'valid credentials are never refused',
            `${where(e, i)} answered ${a.status}${a.injected.length ? ` when ${a.injected} was injected (an outage reported as bad credentials)` : ''}`,
          ),
        );
    });
    if (e.mistake && e.final !== undefined && !e.mistake.includes(e.final as number)) {
      const faulted = e.attempts.some((a) => a.injected.length);
      out.push(
        v(
          'no 5xx for a client mistake',
          `${where(e)} answered ${e.final} (expected ${e.mistake.join('/')})${faulted ? `; faults: ${e.attempts.flatMap((a) => a.injected)}` : ''}`,
        ),
      );
    }
    if (RETRIED_WRITES.test(e.label) && e.final === 409) {
      const earlier = e.attempts.slice(0, -1).filter((a) => a.status === 'network' || a.status >= 500);
      if (earlier.length)
        out.push(
          v(
            'a retried write is answered as the first',
            `${where(e)}: 409 on attempt ${e.attempts.length} after ${earlier.map((a) => (a.injected.length ? a.injected.join('+') : a.status)).join(', ')}`,
          ),
        );
    }
  }
  return out;
}

/** Reads the stack's table, its live executions and the executions of its earlier runs. */
export async function collect(
  env: Readonly<Record<string, string>>,
  executionsFile: string,
): Promise<Snapshot> {
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
  const region = env.AWS_REGION!;
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB!, region, credentials }),
  );
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await ddb.send(
      new ScanCommand({ TableName: env.TABLE_NAME!, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  ddb.destroy();
  const caseOf = (i: Record<string, unknown>) => String(i.pk).replace(/^(CASE|OUTBOX)#/, '');

  const executions = new Map<string, { status: string; arn?: string }>();
  if (existsSync(executionsFile))
    for (const e of JSON.parse(readFileSync(executionsFile, 'utf8')) as { name: string; status: string }[])
      executions.set(e.name, { status: e.status });
  const sfn = new SFNClient({ endpoint: env.AWS_ENDPOINT_URL_SFN!, region, credentials });
  let token: string | undefined;
  do {
    const r = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: env.STATE_MACHINE_ARN!,
        maxResults: 1000,
        nextToken: token,
      }),
    );
    for (const e of r.executions ?? []) executions.set(e.name!, { status: e.status!, arn: e.executionArn! });
    token = r.nextToken;
  } while (token);
  sfn.destroy();

  return {
    cases: items
      .filter((i) => i.type === 'case')
      .map((i) => ({
        caseId: i.caseId as string,
        status: i.status as string,
        ...(i.executionArn ? { executionArn: i.executionArn as string } : {}),
      })),
    tasks: items
      .filter((i) => i.type === 'task')
      .map((i) => ({
        caseId: i.caseId as string,
        taskId: i.taskId as string,
        kind: i.kind as string,
        status: i.status as string,
      })),
    timeline: items
      .filter((i) => i.type === 'event')
      .map((i) => ({ caseId: caseOf(i), at: i.at as string, event: i.event as string })),
    outbox: items
      // Case status changes only: the outbox holds departments' task events too.
      .filter((i) => i.type === 'outbox' && i.eventType === 'case.status_changed')
      .map((i) => ({
        caseId: i.caseId as string,
        eventId: i.eventId as string,
        status: i.status as string,
        ...(i.previousStatus ? { previousStatus: i.previousStatus as string } : {}),
        occurredAt: i.occurredAt as string,
      })),
    executions,
  };
}
