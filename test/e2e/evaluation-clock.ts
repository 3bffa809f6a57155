/**
 * A deadline already past, for the evaluation e2e tests (the local stack only, like the
 * supervision int test's case due in 2020): a rectification or an inquiry is rewritten in the
 * table — its dueAt and the index keys that carry it — exactly as if it had been filed long ago.
 * The supervision view computes "overdue" from dueAt when it reads, so nothing else changes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { evaluationKeys } from '../../adapters/dynamodb/evaluation-store.ts';
import { caseIdOfRectification } from '../../core/evaluation/model.ts';

const client = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));
const table = () => process.env.TABLE_NAME!;

export const PAST_DUE = '2020-01-06T15:59:59.999Z';

async function backdate(
  key: { pk: string; sk: string },
  gsi: (item: Record<string, unknown>) => Record<string, string>,
) {
  const db = client();
  const { Item } = await db.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
  if (!Item) throw new Error(`nothing at ${key.pk} ${key.sk}`);
  const moved = gsi({ ...Item, dueAt: PAST_DUE });
  const names = Object.keys(moved);
  await db.send(
    new UpdateCommand({
      TableName: table(),
      Key: key,
      UpdateExpression: `SET dueAt = :due, ${names.map((n) => `${n} = :${n}`).join(', ')}`,
      ExpressionAttributeValues: {
        ':due': PAST_DUE,
        ...Object.fromEntries(names.map((n) => [`:${n}`, moved[n]])),
      },
    }),
  );
  db.destroy();
}

/** Makes an open rectification due in the past. */
export async function backdateRectification(rectificationId: string) {
  const caseId = caseIdOfRectification(rectificationId)!;
  const departmentId = rectificationId.slice(`${caseId}.rect.`.length);
  await backdate(evaluationKeys.rectification(caseId, departmentId), (i) => {
    const r = i as Parameters<typeof evaluationKeys.departmentRectifications>[0];
    return { ...evaluationKeys.departmentRectifications(r), ...evaluationKeys.openRectification(r) };
  });
}

/** Makes an open inquiry due in the past. */
export async function backdateInquiry(inquiryId: string) {
  await backdate(evaluationKeys.inquiry(inquiryId), (i) => {
    const q = i as Parameters<typeof evaluationKeys.departmentInquiries>[0];
    return { ...evaluationKeys.departmentInquiries(q), ...evaluationKeys.openInquiry(q) };
  });
}
