/**
 * One read for a case and what a view needs beside it. The case, its tasks and its licenses share
 * the partition CASE#<caseId> (keys.ts), so one strongly consistent Query returns the case with
 * them — instead of a GetItem for the case and a Query for the rest.
 *
 * The partition's sort keys run AUDIT# < CASE < EVENT# < LICENSE# < RATING < RECT# < TASK#: no key
 * condition selects CASE and TASK# (or LICENSE#) alone, so the Query reads the range from CASE up
 * to the last wanted prefix (skipping the audit trail, the largest part) and a FilterExpression on
 * `type` answers only the case and the wanted items. DynamoDB bills the items read before the
 * filter, rounded up once for the whole Query (4 KB per read unit, consistent): the timeline
 * entries in that range are small, so the one Query costs what the GetItem and the Query it
 * replaces cost together — measured with the cost bench, README "Cost drivers" — in one round
 * trip. A projection would not lower the units (they are counted on whole items), only the bytes
 * sent back; the filter already drops the timeline entries from the answer.
 */
import { type CaseRecord, CaseRecordSchema, type TaskRecord, TaskRecordSchema } from '#core/case/model.ts';
import { type IssuedLicense, IssuedLicenseSchema } from '#core/licenses/ports.ts';
import { config } from '../config.ts';
import { QueryCommand } from './commands.ts';
import { keys } from './keys.ts';
import { send } from './send.ts';

/**
 * The case item and the items of `type` in CASE#<caseId> whose sort keys start with `prefix`
 * (which sorts after CASE), following LastEvaluatedKey (a page ends at 1 MB read, filter or not).
 */
async function caseAnd(
  caseId: string,
  type: string,
  prefix: string,
): Promise<{ record: CaseRecord | undefined; items: Record<string, unknown>[] }> {
  let record: CaseRecord | undefined;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: config().TABLE_NAME,
        // `prefix` + '$' is just above every `prefix#…` key ('$' follows '#').
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :case AND :last',
        FilterExpression: '#type IN (:caseType, :type)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':pk': keys.casePk(caseId),
          ':case': keys.case(caseId).sk,
          ':last': `${prefix.replace(/#$/, '')}$`,
          ':caseType': 'case',
          ':type': type,
        },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of r.Items ?? []) {
      if (item.sk === keys.case(caseId).sk) record = CaseRecordSchema.parse(item);
      else if (typeof item.sk === 'string' && item.sk.startsWith(prefix)) items.push(item);
    }
    start = r.LastEvaluatedKey;
  } while (start);
  return { record, items };
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
