/**
 * Task "Issue And Deliver Licenses" (一窗出件): the e-licenses of every approved service issued,
 * then the case delivered and ended `issued` — in ONE write when it can be (issue #14: one storage
 * call of every case):
 *  1. The licenses prepared: built, stored, signed together (core/licenses/issue.ts).
 *  2. Each stored and none recorded yet by another attempt: the case's delivery records them with
 *     itself (deliverWithLicenses) — the licenses and the `issued` case exist together or not at
 *     all, so a case is never issued without its licenses.
 *  3. Otherwise (a document failed to store, a retry found some recorded, the case changed, or a
 *     service's license was recorded meanwhile): as before the merge — the licenses recorded on
 *     their own first (the first failure thrown after, for the state machine to retry), then the
 *     delivery, which goes on from whatever the case is then.
 */
import type { CaseRecord } from '../case/model.ts';
import {
  type IssueLicensesDeps,
  type IssueLicensesInput,
  licensesOf,
  prepareLicenses,
  recordLicenses,
} from '../licenses/issue.ts';
import {
  deliverResults,
  deliverWithLicenses,
  type FlowDeps,
  type HeldDecision,
  type MergeWrite,
} from './steps.ts';

export interface IssueAndDeliverDeps {
  readonly issue: IssueLicensesDeps;
  readonly flow: FlowDeps;
}

export async function issueAndDeliver(deps: IssueAndDeliverDeps, input: IssueLicensesInput) {
  const prepared = await prepareLicenses(deps.issue, input);
  if (!prepared.failure && prepared.unrecorded.length > 0) {
    const licenses = licensesOf(prepared);
    if (await deliverWithLicenses(deps.flow, prepared.record, licenses, prepared.unrecorded))
      return { caseId: input.caseId, status: 'issued' as const, licenses };
  }
  const { licenses, record } = await recordLicenses(deps.issue, prepared);
  // Delivered from the case the issue read (issuing leaves it as it was): not read again.
  const delivered = await deliverResults(deps.flow, input.caseId, licenses, record);
  return { ...delivered, licenses };
}

/**
 * 一窗出件 with the stage's last decision (FlowDeps.issueNow, functions/decide-task.handler.ts):
 * the licenses prepared from the case as the decision read it — with the merge's outcome — and
 * recorded by ONE write with the decision, the merge and the delivery: the case ends `issued`
 * there and then, and the state machine has nothing left to issue (no Issue And Deliver Licenses,
 * no second read of the case). False when that write cannot be (a document not stored, too many
 * licenses, the case or a task changed): nothing is recorded — documents stored stay unreferenced
 * — and the caller writes the merge on its own, for the state machine to issue as before.
 */
export async function issueWithDecision(
  deps: IssueAndDeliverDeps,
  record: CaseRecord,
  merge: MergeWrite,
  decision: HeldDecision,
): Promise<boolean> {
  const merged = { ...record, ...merge.changes } as CaseRecord;
  const prepared = await prepareLicenses(
    deps.issue,
    { caseId: record.caseId, approved: merge.approved },
    // Read with the stage's tasks, consistently; a license recorded meanwhile refuses the write.
    { record: merged, licenses: [] },
  );
  if (prepared.failure || prepared.unrecorded.length === 0) return false;
  return deliverWithLicenses(deps.flow, record, licensesOf(prepared), prepared.unrecorded, {
    merge,
    decision,
  });
}
