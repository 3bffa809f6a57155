/** Read models over tasks: a department's inbox (paginated) and open tasks by due date (supervision). */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type TaskRecord, TaskRecordSchema } from '#core/case/model.ts';
import { BadRequestError } from '#core/shared/errors.ts';
import { config } from '../config.ts';
import { send } from './send.ts';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

function decodeCursor(
  cursor: string | undefined,
  expectPk: string,
  pkName: string,
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key[pkName] !== expectPk) throw new Error('cursor of another listing');
    // Found by fuzzing: a forged key of this listing with other attributes made DynamoDB refuse the
    // query (500). A key we gave out holds exactly the table's and the index's keys, as strings.
    const names = ['pk', 'sk', pkName, pkName.replace(/pk$/, 'sk')];
    const entries = Object.entries(key);
    if (
      entries.length !== names.length ||
      entries.some(([k, v]) => !names.includes(k) || typeof v !== 'string')
    )
      throw new Error('not a key of this listing');
    return key;
  } catch {
    throw new BadRequestError('The cursor is not valid for this listing; start again without it.', [
      {
        path: '/query/cursor',
        code: 'invalid_cursor',
        message: 'Use the nextCursor of the previous page unchanged.',
      },
    ]);
  }
}

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;

export async function departmentInbox(
  departmentId: string,
  status: TaskRecord['status'],
  limit: number,
  cursor?: string,
): Promise<Page<TaskRecord>> {
  const pk = `DEPT#${departmentId}#${status}`;
  const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
    new QueryCommand({
      TableName: config().TABLE_NAME,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, pk, 'gsi1pk'),
    }),
  );
  const next = encodeCursor(r.LastEvaluatedKey);
  return {
    items: (r.Items ?? []).map((i) => TaskRecordSchema.parse(i)),
    ...(next ? { nextCursor: next } : {}),
  };
}

/** Open tasks due before `before` (ISO), earliest first. */
export async function openTasksDueBefore(
  before: string,
  limit: number,
  cursor?: string,
): Promise<Page<TaskRecord>> {
  const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
    new QueryCommand({
      TableName: config().TABLE_NAME,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
      ExpressionAttributeValues: { ':pk': 'OPENTASK', ':before': before },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, 'OPENTASK', 'gsi2pk'),
    }),
  );
  const next = encodeCursor(r.LastEvaluatedKey);
  return {
    items: (r.Items ?? []).map((i) => TaskRecordSchema.parse(i)),
    ...(next ? { nextCursor: next } : {}),
  };
}
