/**
 * One read for a case and what a view needs beside it. The case, its tasks and its licenses share
 * the partition CASE#<caseId> (keys.ts), so one strongly consistent Query returns the case with
 * them — instead of a GetItem for the case and a Query for the rest.
 *
 * The partition's sort keys run AUDIT# < CASE < EVENT# < LICENSE# < RATING < RECT# < TASK#: no key
 * condition selects CASE and TASK# (or LICENSE#) alone, so the Query reads the range from CASE up
 * to the last wanted prefix (skipping the audit trail) and a FilterExpression on `type` answers
 * only the case and the wanted items. DynamoDB bills what the Query read before the filter,
 * rounded up once for the whole Query (4 KB a unit, consistent) — the timeline entries in the
 * range included. A projection would not lower the units either (they count whole items); the
 * filter already keeps the timeline out of the answer. Measured on the cost bench's 企业开办 case
 * (`npm run bench -- --only=cost --cost-bundles=enterprise-opening`, units per call): its 7 task
 * views read 18 units in 7 calls, where the task, case and tasks reads and one read per material
 * took 36 in 31; the license listing reads 4 units in 1 call (3 in 2 before: the GetItem of the
 * case and the LICENSE# Query) — one unit more for one round trip less.
 */
import { type CaseRecord, CaseRecordSchema, type TaskRecord, TaskRecordSchema } from '#core/case/model.ts';
import { type IssuedLicense, IssuedLicenseSchema } from '#core/licenses/ports.ts';
import { keys } from './keys.ts';
import { queryPartition } from './send.ts';

/**
 * The case item and the items of `type` in CASE#<caseId> whose sort keys start with `prefix`
 * (which sorts after CASE), following LastEvaluatedKey (a page ends at 1 MB read, filter or not).
 */
async function caseAnd(
  caseId: string,
  type: string,
  prefix: string,
): Promise<{ record: CaseRecord | undefined; items: Record<string, unknown>[] }> {
  const caseSk = keys.case(caseId).sk;
  const found = await queryPartition(keys.casePk(caseId), {
    // `prefix` + '$' is just above every `prefix#…` key ('$' follows '#').
    between: [caseSk, `${prefix.replace(/#$/, '')}$`],
    types: ['case', type],
    consistent: true,
  });
  const c = found.find((i) => i.sk === caseSk);
  return {
    record: c ? CaseRecordSchema.parse(c) : undefined,
    items: found.filter((i) => typeof i.sk === 'string' && i.sk.startsWith(prefix)),
  };
}

/** The case (undefined when there is none) and every task of it, in one read. */
export async function caseWithTasks(
  caseId: string,
): Promise<{ record: CaseRecord | undefined; tasks: TaskRecord[] }> {
  const { record, items } = await caseAnd(caseId, 'task', 'TASK#');
  return { record, tasks: items.map((i) => TaskRecordSchema.parse(i)) };
}

/** The case (undefined when there is none) and every license issued to it, in one read. */
export async function caseWithLicenses(
  caseId: string,
): Promise<{ record: CaseRecord | undefined; licenses: IssuedLicense[] }> {
  const { record, items } = await caseAnd(caseId, 'license', 'LICENSE#');
  return { record, licenses: items.map((i) => IssuedLicenseSchema.parse(i)) };
}
