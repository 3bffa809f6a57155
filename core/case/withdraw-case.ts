/**
 * Use case: the applicant withdraws a case (撤回).
 *  1. Only the portal's own case, and only while it is not final (lifecycle table).
 *  2. The status change, timeline entry, audit record and the closing of every open task (they
 *     leave the departments' inboxes) are one conditional transaction: a decision racing with it
 *     either committed before (and the task is not closed) or is refused (409) — decisions are
 *     conditional on the case not being final. A task decided between the read and the write
 *     cancels it; it is then retried on the tasks as they are.
 *  3. Any task opened meanwhile is closed too, and the execution is stopped — on a retry as well:
 *     an attempt that committed and then failed before stopping the flow is finished by the retry.
 */
import * as z from 'zod/mini';
import type { ApplicantIdentity } from '../identity/applicant.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { leadsTo, statusesAllowing, transition } from './lifecycle.ts';
import type { CaseRecord } from './model.ts';
import { ownCase } from './ownership.ts';
import type { CaseRepository, TaskRepository, Workflow } from './ports.ts';

/** An omitted reason is none (filled in here, not published as a `default`). */
export const WithdrawalSchema = /* @__PURE__ */ (() =>
  z.object({
    reason: z.pipe(
      z.optional(z.string().check(z.maxLength(500))),
      z.transform((v) => v ?? ''),
    ),
  }))();

export async function withdrawCase(
  deps: { cases: CaseRepository; tasks: TaskRepository; workflow: Workflow; now(): Date },
  input: { portalId: string; applicant?: ApplicantIdentity; caseId: string; reason: string },
): Promise<CaseRecord> {
  const record = ownCase(await deps.cases.get(input.caseId), input);
  if (!record) throw new NotFoundError(`There is no case "${input.caseId}" of yours.`);
  const at = deps.now().toISOString();
  // Already withdrawn: a retry — perhaps of an attempt that committed and then failed to stop the
  // flow. What follows the commit is idempotent, so a retry finishes it.
  if (record.status !== leadsTo('withdraw')) await commitWithdrawal(deps, input, record, at);
  await deps.tasks.closeOpen(record.caseId, { at, event: 'tasks_closed', detail: { reason: 'withdrawn' } });
  await deps.workflow.stop(record.caseId, 'withdrawn by the applicant');
  return (await deps.cases.get(record.caseId))!;
}

/** The status change, timeline, audit and the closing of the open tasks, in one transaction. */
async function commitWithdrawal(
  deps: { cases: CaseRepository; tasks: TaskRepository },
  input: { portalId: string; caseId: string; reason: string },
  record: CaseRecord,
  at: string,
): Promise<void> {
  const { to } = transition(record.status, 'withdraw');
  // Conditional on any status that allows withdrawal: a step of the flow moving the case between
  // the read and the write does not stop it (the table leads every one of them to `to`).
  const from = statusesAllowing('withdraw');
  for (let attempt = 0, current = record; ; attempt++) {
    const open = (await deps.tasks.listForCase(current.caseId)).filter((t) => t.status === 'pending');
    const ok = await deps.cases.transition(
      current.caseId,
      from,
      { status: to },
      { at, event: 'withdrawn', detail: { from: current.status, tasksClosed: open.length } },
      {
        actor: `portal:${input.portalId}`,
        action: 'withdraw',
        detail: { reasonGiven: input.reason.length > 0 },
      },
      { settleTasks: open.map((task) => ({ task, status: 'closed' as const })) },
    );
    if (ok) break;
    const now = await deps.cases.get(current.caseId);
    if (now?.status === to) break; // a concurrent withdrawal
    if (!now || !from.includes(now.status))
      throw new ConflictError(`Case ${record.caseId} is ${now?.status} and can no longer be withdrawn.`);
    // A task was decided or opened between the read and the write: again, on the tasks as they are.
    if (attempt >= 5)
      throw new ConflictError(`Case ${record.caseId} is changing right now; retry the withdrawal.`);
    current = now;
  }
}
