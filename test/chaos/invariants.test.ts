/** The chaos test's invariant checks catch what they are for (pure: no stack). */
import { describe, expect, it } from 'vitest';
import type { Attempt, Exchange } from './client.ts';
import { checkAnswers, checkState, type Snapshot } from './invariants.ts';

const ARN = (id: string) => `arn:aws:states:us-east-1:000000000000:execution:m:${id}`;

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    cases: [{ caseId: 'c-a', status: 'issued', executionArn: ARN('c-a') }],
    tasks: [{ caseId: 'c-a', taskId: 'c-a.r0.acceptance', kind: 'acceptance', status: 'approved' }],
    timeline: [
      { caseId: 'c-a', at: '2026-01-01T00:00:00.000Z', event: 'submitted' },
      { caseId: 'c-a', at: '2026-01-01T00:00:01.000Z', event: 'accepted' },
      { caseId: 'c-a', at: '2026-01-01T00:00:02.000Z', event: 'merged' },
      { caseId: 'c-a', at: '2026-01-01T00:00:03.000Z', event: 'issued' },
    ],
    outbox: [
      { caseId: 'c-a', eventId: '1', status: 'submitted', occurredAt: '2026-01-01T00:00:00.000Z' },
      {
        caseId: 'c-a',
        eventId: '2',
        status: 'in_review',
        previousStatus: 'submitted',
        occurredAt: '2026-01-01T00:00:01.000Z',
      },
      {
        caseId: 'c-a',
        eventId: '3',
        status: 'issued',
        previousStatus: 'in_review',
        occurredAt: '2026-01-01T00:00:03.000Z',
      },
    ],
    executions: new Map([['c-a', { status: 'SUCCEEDED' }]]),
    ...over,
  };
}

const attempt = (status: Attempt['status'], injected: string[] = [], at = 1000): Attempt => ({
  status,
  injected,
  sentAt: at,
  at: at + 10,
});
const exchange = (label: string, attempts: Attempt[], extra: Partial<Exchange> = {}): Exchange => ({
  actor: 'a',
  label,
  method: 'POST',
  path: '/v1/x',
  attempts,
  validCredentials: true,
  final: attempts.at(-1)?.status,
  ...extra,
});

describe('the state invariants', () => {
  it('hold for a whole case', () => {
    expect(checkState(snapshot(), new Set(['c-a']))).toEqual([]);
  });

  it('catch a case without an execution, and one the client was never given', () => {
    const s = snapshot({
      cases: [...snapshot().cases, { caseId: 'c-b', status: 'submitted' }],
    });
    expect(checkState(s, new Set(['c-a'])).map((v) => v.invariant)).toEqual(
      expect.arrayContaining(['one execution per case', 'no case the client was not given']),
    );
  });

  it('catch an execution without a case, and one still running on a final case', () => {
    const s = snapshot({
      executions: new Map([
        ['c-a', { status: 'RUNNING' }],
        ['c-z', { status: 'RUNNING' }],
      ]),
    });
    expect(checkState(s, new Set(['c-a'])).map((v) => v.invariant)).toEqual([
      'one execution per case',
      'no execution without a case',
    ]);
  });

  it('catch a pending task on a final case and an accepted case left unfinished', () => {
    const tasks = [{ caseId: 'c-a', taskId: 'c-a.r1.supplement', kind: 'supplement', status: 'pending' }];
    expect(checkState(snapshot({ tasks }), new Set(['c-a']))[0]?.invariant).toBe(
      'no pending task on a final case',
    );
    const cases = [{ caseId: 'c-a', status: 'in_review', executionArn: ARN('c-a') }];
    expect(checkState(snapshot({ cases }), new Set(['c-a'])).map((v) => v.invariant)).toContain(
      'every accepted case reaches a final status',
    );
  });

  it('catch a status change without its outbox event, and a duplicated one', () => {
    const missing = snapshot({ outbox: snapshot().outbox.slice(0, 2) });
    expect(checkState(missing, new Set(['c-a'])).map((v) => v.invariant)).toContain(
      'one outbox event per status change',
    );
    const twice = snapshot({ outbox: [...snapshot().outbox, { ...snapshot().outbox[2]!, eventId: '4' }] });
    expect(checkState(twice, new Set(['c-a'])).map((v) => v.invariant)).toContain(
      'one outbox event per status change',
    );
  });
});

describe('the answer invariants', () => {
  it('allow a 503 where a fault was injected or while the stack was stopping, and nowhere else', () => {
    const faulted = exchange('submit', [attempt(503, ['ddb:GetCommand:TimeoutError']), attempt(201)]);
    const stopping = exchange('submit', [attempt(503, [], 5000), attempt(201, [], 9000)]);
    expect(checkAnswers([faulted, stopping], [{ from: 4990, to: 6000 }])).toEqual([]);
    expect(checkAnswers([stopping], []).map((v) => v.invariant)).toEqual([
      'a 503 only when a fault was injected into that request',
    ]);
  });

  it('refuse a 500, a 401 to valid credentials, a client mistake not answered as one, and a 409 to a retry', () => {
    const found = checkAnswers(
      [
        exchange('read case', [attempt(500), attempt(200)]),
        exchange('read case', [attempt(401, ['ddb:GetCommand:ECONNRESET']), attempt(200)]),
        exchange('mistake', [attempt(503, ['ddb:GetCommand:ECONNRESET']), attempt(409)], { mistake: [422] }),
        exchange('supplement', [attempt(503, ['sfn:SendTaskSuccessCommand:ECONNRESET']), attempt(409)]),
      ],
      [],
    ).map((v) => v.invariant);
    expect(found).toEqual([
      'no 5xx but 503',
      'valid credentials are never refused',
      'no 5xx for a client mistake',
      'a retried write is answered as the first',
    ]);
  });
});
