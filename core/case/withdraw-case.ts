/**
 * Use case: the applicant withdraws a case (撤回).
 *  1. Only the portal's own case, and only while it is not final (lifecycle table).
 *  2. The status change, timeline entry and audit record are one conditional transaction.
 *  3. Open tasks are closed (they leave the departments' inboxes) and the execution is stopped.
 */
import * as z from 'zod';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { ALLOWED, assertAllowed, type CaseStatus } from './lifecycle.ts';
import type { CaseRecord } from './model.ts';
import type { CaseRepository, TaskRepository, Workflow } from './ports.ts';

export const WithdrawalSchema = z.object({ reason: z.string().max(500).default('') });

export async function withdrawCase(
  deps: { cases: CaseRepository; tasks: TaskRepository; workflow: Workflow; now(): Date },
  input: { portalId: string; caseId: string; reason: string },
): Promise<CaseRecord> {
  const record = await deps.cases.get(input.caseId);
  if (!record || record.portalId !== input.portalId)
    throw new NotFoundError(`There is no case "${input.caseId}" of yours.`);
  if (record.status === 'withdrawn') return record; // a retry
  assertAllowed(record.status, 'withdraw');
  const from = (Object.keys(ALLOWED) as CaseStatus[]).filter((s) => ALLOWED[s].includes('withdraw'));
  const at = deps.now().toISOString();
  const ok = await deps.cases.transition(
    record.caseId,
    from,
    { status: 'withdrawn' },
    { at, event: 'withdrawn', detail: { from: record.status } },
    {
      actor: `portal:${input.portalId}`,
      action: 'withdraw',
      detail: { reasonGiven: input.reason.length > 0 },
    },
  );
  if (!ok) {
    const current = await deps.cases.get(record.caseId);
    if (current?.status !== 'withdrawn')
      throw new ConflictError(`Case ${record.caseId} is ${current?.status} and can no longer be withdrawn.`);
  }
  await deps.tasks.closeOpen(record.caseId, { at, event: 'tasks_closed', detail: { reason: 'withdrawn' } });
  if (record.executionArn) await deps.workflow.stop(record.executionArn, 'withdrawn by the applicant');
  return (await deps.cases.get(record.caseId))!;
}
