/**
 * What the chaos test found, narrowed down: a write whose transaction committed but whose call to
 * Step Functions after it failed (503) must finish that call when the client retries — else the
 * case is half done. Seed 20261201 of the chaos test shows both (a withdrawn case whose execution
 * still runs; a supplement retried into 409, its flow never resumed). The handlers run in this
 * worker against the local stack, with the worker's Step Functions client failing once where named.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { materialLookup } from '#adapters/dynamodb/material-store.ts';
import { sfn, workflow } from '#adapters/sfn/workflow.ts';
import type { TaskRepository } from '#core/case/ports.ts';
import { SupplementSchema, submitSupplement as supplementCase } from '#core/case/submit-supplement.ts';
import { handler as submitSupplement } from '#functions/submit-supplement.handler.ts';
import { handler as withdrawCase } from '#functions/withdraw-case.handler.ts';
import {
  applicantContext,
  buildApplication,
  DEFAULT_ORGANISATION,
  decide,
  eventually,
  getCase,
  pendingTask,
  submit,
} from '../e2e/portal.ts';
import { invoke, proxyEvent } from '../support/lambda-events.ts';
import { sdkError } from './faults.ts';

const PORTAL = { portalId: 'portal-a' };
/** The applicant of the cases buildApplication builds for 企业开办 (an enterprise), through portal A. */
const APPLICANT = () => applicantContext(DEFAULT_ORGANISATION, PORTAL.portalId);
const LEAD = 'market-regulation';
const original = sfn.send.bind(sfn);

/** The next `command` to Step Functions fails on the way there (ECONNRESET): it never arrives. */
function failOnce(command: string): void {
  let armed = true;
  sfn.send = (async (c: object, ...rest: unknown[]) => {
    if (armed && c.constructor.name === command) {
      armed = false;
      throw sdkError('sfn', 'ECONNRESET');
    }
    return (original as (...a: unknown[]) => Promise<unknown>)(c, ...rest);
  }) as typeof sfn.send;
}

afterEach(() => {
  sfn.send = original;
});

/** A case whose lead department asked for a correction, the flow waiting for the applicant. */
async function caseWaitingForSupplement() {
  const { caseId, acceptance, application } = await caseWaitingForAcceptance();
  const decided = await decide(acceptance.id, LEAD, {
    outcome: 'correct',
    opinion: '材料不全',
    corrections: [{ message: '请补充' }],
  });
  expect(decided.status).toBe(200);
  await eventually(
    () => getCase(caseId),
    (r) =>
      r.body.status === 'awaiting_correction' &&
      r.body.tasks.some(
        (t: { kind: string; status: string }) => t.kind === 'supplement' && t.status === 'pending',
      ),
    'the supplement task',
  );
  return { caseId, application };
}

async function caseWaitingForAcceptance() {
  const application = await buildApplication('enterprise-opening', ['enterprise-establishment-registration']);
  const submitted = await submit(application);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const caseId = submitted.body.id as string;
  const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
  return { caseId, acceptance, application };
}

const executionOf = async (caseId: string) => {
  const arn = `${process.env.STATE_MACHINE_ARN!.replace(':stateMachine:', ':execution:')}:${caseId}`;
  return (await original(new DescribeExecutionCommand({ executionArn: arn }))).status;
};

describe('a write retried after its Step Functions call failed', () => {
  it('stops the execution of a withdrawn case when the withdrawal is retried', async () => {
    // Prepare: a case whose flow waits for acceptance; the withdrawal's StopExecution will fail.
    const { caseId } = await caseWaitingForAcceptance();
    const event = proxyEvent({
      method: 'POST',
      path: `/v1/cases/${caseId}/withdrawal`,
      resource: '/v1/cases/{caseId}/withdrawal',
      pathParameters: { caseId },
      body: { reason: '' },
      authorizer: APPLICANT(),
    });
    failOnce('StopExecutionCommand');

    // Act: the first attempt commits, cannot stop the execution and answers 503; the portal retries.
    expect((await invoke(withdrawCase, event)).status).toBe(503);
    const retry = await invoke(withdrawCase, event);

    // Assess: withdrawn, and nothing left running for it.
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('withdrawn');
    expect(
      await eventually(
        () => executionOf(caseId),
        (s) => s !== 'RUNNING',
        'the execution to end',
        5_000,
      ),
    ).not.toBe('RUNNING');
  });

  it('answers a retried supplement as the first and resumes the flow', async () => {
    // Prepare: the lead department asks for a correction; the flow waits for the applicant.
    const { caseId, application } = await caseWaitingForSupplement();
    const event = proxyEvent({
      method: 'POST',
      path: `/v1/cases/${caseId}/supplements`,
      resource: '/v1/cases/{caseId}/supplements',
      pathParameters: { caseId },
      body: { form: { enterpriseName: application.form.enterpriseName } },
      authorizer: APPLICANT(),
    });
    failOnce('SendTaskSuccessCommand');

    // Act: the first attempt commits, cannot resume the flow and answers 503; the portal retries.
    expect((await invoke(submitSupplement, event)).status).toBe(503);
    const retry = await invoke(submitSupplement, event);

    // Assess: answered as the first time, and the lead department gets the case again.
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    await pendingTask(LEAD, caseId, 'acceptance', 1);
  });

  it('resumes the flow when its supplement task opened between the supplement read and its write', async () => {
    // Prepare: the flow has opened the supplement task; the use case reads it as it was a moment
    // before (absent) — the interleaving the chaos test met (seeds 2 and 3: supplemented, then
    // supplement_task_opened, the task pending for ever). DynamoDB gives no isolation across the
    // read and the transaction, so the write must check what the read saw.
    const { caseId, application } = await caseWaitingForSupplement();
    let stale = true;
    const tasks: TaskRepository = Object.assign(Object.create(taskRepository) as TaskRepository, {
      get: async (taskId: string) => {
        if (stale && taskId.endsWith('.supplement')) {
          stale = false;
          return undefined;
        }
        return taskRepository.get(taskId);
      },
    });

    // Act: the applicant supplements.
    await supplementCase(
      { cases: caseRepository, tasks, materials: materialLookup, workflow, now: () => new Date() },
      catalog(),
      {
        portalId: PORTAL.portalId,
        caseId,
        supplement: SupplementSchema.parse({ form: { enterpriseName: application.form.enterpriseName } }),
      },
    );

    // Assess: the flow goes on — the lead department gets the case again.
    await pendingTask(LEAD, caseId, 'acceptance', 1);
  });
});
