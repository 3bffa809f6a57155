/**
 * Issue And Deliver Licenses, the case flow's last state (issue #14: one task, not Issue Licenses →
 * Deliver Results → Case Issued): the real ASL on the local Step Functions runtime, its last task
 * the real functions/issue-licenses.task.ts against DynamoDB Local and s3rver (the steps before it
 * scripted). A delivery that fails after the licenses are recorded is retried by the state's Retry:
 * each service keeps one license and the case is issued once. And the executions started on the old
 * definition still end well: their Deliver Results replays a delivery already made.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { licenseStore } from '#adapters/dynamodb/license-store.ts';
import { faults } from '#adapters/dynamodb/send.ts';
import { type CaseRecord, caseIdFor } from '#core/case/model.ts';
import { handler as deliverResults } from '#functions/deliver-results.task.ts';
import { handler as issueAndDeliver } from '#functions/issue-licenses.task.ts';
import { lambdaContext } from '#local/lambda-registry.ts';
import { loadCaseFlowDefinition } from '#local/state-machines.ts';
import { LocalStepFunctions, type TaskSubmittedEvent } from '#local/stepfunctions/runtime.ts';

const ESTABLISHMENT = 'enterprise-establishment-registration';
const SEAL = 'company-seal-filing';
const APPROVED = [ESTABLISHMENT, SEAL];

afterEach(() => {
  faults.before = undefined;
});

/** A 企业开办 case under review whose two services are approved. */
async function caseUnderReview(): Promise<CaseRecord> {
  const now = new Date().toISOString();
  const record: CaseRecord = {
    caseId: caseIdFor('portal-a', randomUUID()),
    portalId: 'portal-a',
    bundleId: 'enterprise-opening',
    services: [...APPROVED, 'bank-account-booking'],
    catalogVersion: '2022.1',
    status: 'in_review',
    applicant: {
      kind: 'organisation',
      name: '常州青果巷餐饮管理有限公司',
      uscc: '91320402MA27QK3L8L',
      phone: '13812345678',
    },
    form: { enterpriseName: '常州青果巷餐饮管理有限公司' },
    materials: [],
    delivery: { method: 'electronic' },
    commitments: [],
    requestHash: randomUUID(),
    createdAt: now,
    updatedAt: now,
    dueAt: now,
    correctionRound: 0,
    version: 1,
  };
  expect(
    await caseRepository.create(
      record,
      { at: now, event: 'submitted' },
      { actor: 'portal:portal-a', action: 'submit' },
    ),
  ).toBe(true);
  return record;
}

/** The delivery's write: the case's conditional move to `issued` (the licenses' write has no Update). */
const isDelivery = (command: unknown) =>
  (command as { constructor: { name: string } }).constructor.name === 'TransactWriteCommand' &&
  (
    (
      command as {
        input: { TransactItems?: { Update?: { ExpressionAttributeValues?: Record<string, unknown> } }[] };
      }
    ).input.TransactItems ?? []
  ).some((i) => i.Update?.ExpressionAttributeValues?.[':status'] === 'issued');

/** Runs one execution of the deployed ASL to its end: acceptance and one stage answered at once. */
async function runFlow(caseId: string) {
  const invoked = new Map<string, number>();
  const runtime = new LocalStepFunctions({
    retryIntervalMs: 1,
    invokeFunction: async (name, payload) => {
      invoked.set(name, (invoked.get(name) ?? 0) + 1);
      const p = payload as Record<string, unknown>;
      if (name === 'issue-licenses') return issueAndDeliver(p, lambdaContext(name));
      if (name === 'record-acceptance')
        return { ...p, next: 'dispatch', reviews: [], stageTimeoutSeconds: 3600 };
      if (name === 'plan-next-stage') return { ...p, next: 'issue', approved: APPROVED };
      return {}; // open-task (its callbacks are answered below), record-failure
    },
  });
  // Each wait answered as a decision that leaves its step to the state machine (next = record /
  // plan: Record Acceptance and Plan Next Stage, scripted above, then run).
  runtime.on('taskSubmitted', (t: TaskSubmittedEvent) => {
    const p = t.payload as { kind?: string; round?: number };
    const next = p.kind === 'acceptance' ? 'record' : 'plan';
    void runtime.sendTaskSuccess({
      taskToken: t.taskToken,
      output: JSON.stringify({
        caseId,
        round: p.round ?? 0,
        next,
        outcome: next === 'record' ? 'approve' : 'decided',
      }),
    });
  });
  try {
    const { stateMachineArn } = await runtime.createStateMachine({
      name: 'case-flow',
      definition: loadCaseFlowDefinition(),
    });
    const { executionArn } = await runtime.startExecution({
      stateMachineArn,
      name: caseId,
      input: JSON.stringify({ caseId, round: 0, timeoutSeconds: 3600 }),
    });
    const result = await runtime.waitForExecution(executionArn, { timeoutMs: 20_000 });
    const { events } = await runtime.getExecutionHistory({ executionArn, maxResults: 1000 });
    const entered = events.flatMap((e) =>
      e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );
    return { result, events, entered, invoked };
  } finally {
    await runtime.close();
  }
}

const issuedEntries = async (caseId: string) =>
  ((await caseRepository.view(caseId))?.timeline ?? []).filter((e) => e.event === 'issued');

describe('Issue And Deliver Licenses', () => {
  it('issues every approved service its license, delivers them and ends the case issued, in one state', async () => {
    const c = await caseUnderReview();

    const { result, entered, invoked } = await runFlow(c.caseId);

    expect(result.status).toBe('SUCCEEDED');
    expect(entered.at(-1)).toBe('Issue And Deliver Licenses');
    expect(invoked.get('issue-licenses')).toBe(1);
    const recorded = await licenseStore.listForCase(c.caseId);
    expect(recorded.map((l) => l.serviceId).sort()).toEqual([...APPROVED].sort());
    expect((await caseRepository.get(c.caseId))?.status).toBe('issued');
    const output = JSON.parse(result.output!) as { status: string; licenses: { id: string }[] };
    expect(output.status).toBe('issued');
    expect(output.licenses.map((l) => l.id).sort()).toEqual(recorded.map((l) => l.licenseId).sort());
  });

  it('retries a delivery that failed after the licenses were recorded: one license per service, issued once', async () => {
    const c = await caseUnderReview();
    let failed = 0;
    faults.before = (command) => {
      if (isDelivery(command) && failed++ === 0)
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };

    const { result, events, entered, invoked } = await runFlow(c.caseId);

    expect(result.status).toBe('SUCCEEDED');
    expect(failed).toBe(2); // the failed delivery, and the retry's
    expect(invoked.get('issue-licenses')).toBe(2);
    expect(events.filter((e) => e.type === 'TaskFailed')).toHaveLength(1);
    expect(entered).not.toContain('Record Flow Failure');
    const recorded = await licenseStore.listForCase(c.caseId);
    expect(recorded.map((l) => l.serviceId).sort()).toEqual([...APPROVED].sort());
    expect((await caseRepository.get(c.caseId))?.status).toBe('issued');
    const issued = await issuedEntries(c.caseId);
    expect(issued).toHaveLength(1);
    expect(((issued[0]?.detail?.licenses as string[]) ?? []).sort()).toEqual(
      recorded.map((l) => l.licenseId).sort(),
    );
  });

  it('leaves an issued case as it is when run again, and so does the old Deliver Results after it', async () => {
    const c = await caseUnderReview();
    const first = (await issueAndDeliver(
      { caseId: c.caseId, approved: APPROVED },
      lambdaContext('issue-licenses'),
    )) as {
      licenses: { id: string; serviceId: string }[];
    };
    const before = await caseRepository.get(c.caseId);
    let writes = 0;
    faults.before = (command) => {
      if ((command as { constructor: { name: string } }).constructor.name === 'TransactWriteCommand')
        writes++;
    };

    // Retried after its answer was lost; then an execution started on the old definition, whose
    // Issue Licenses state invoked this function, goes on to Deliver Results with its answer.
    const again = (await issueAndDeliver(
      { caseId: c.caseId, approved: APPROVED },
      lambdaContext('issue-licenses'),
    )) as {
      licenses: { id: string; serviceId: string }[];
    };
    await deliverResults({ caseId: c.caseId, licenses: again.licenses }, lambdaContext('deliver-results'));

    expect(again.licenses).toEqual(first.licenses);
    expect(writes).toBe(0);
    expect(await caseRepository.get(c.caseId)).toEqual(before);
    expect(await issuedEntries(c.caseId)).toHaveLength(1);
  });
});
