/**
 * 好差评 and 12345 in the city table (core/evaluation/ports.ts). Access patterns, beside keys.ts:
 *
 * | access pattern                                   | table / index | pk                          | sk                          |
 * |--------------------------------------------------|---------------|-----------------------------|-----------------------------|
 * | a case's rating (one, immutable)                 | table         | CASE#<caseId>               | RATING                      |
 * | a case's rectification of one department (整改)  | table         | CASE#<caseId>               | RECT#<departmentId>         |
 * | a department's rectifications, open first        | gsi1          | DEPTRECT#<departmentId>     | <0 open,1 done>#<dueAt>#<id> |
 * | open rectifications by due date (supervision)    | gsi2 (sparse) | OPENRECT                    | <dueAt>#<id>                |
 * | an inquiry (12345)                               | table         | INQUIRY#<inquiryId>         | INQUIRY                     |
 * | a department's inquiries, open first             | gsi1          | DEPTINQ#<departmentId>      | <0 open,1 answered>#<dueAt>#<id> |
 * | open inquiries by due date (supervision)         | gsi2 (sparse) | OPENINQUIRY                 | <dueAt>#<id>                |
 * | an applicant's inquiries, newest first           | table         | APPLICANTINQ#<applicantKey> | <createdAt>#<inquiryId>     |
 *
 * Every write is ONE TransactWriteItems whose items one function builds (`ratingItems`,
 * `rectificationCompletionItems`, `inquiryItems`, `inquiryAnswerItems`): statistics counters
 * join those transactions there.
 */
import { randomUUID } from 'node:crypto';
import type { TimelineEntry } from '#core/case/model.ts';
import {
  caseIdOfRectification,
  type InquiryRecord,
  InquiryRecordSchema,
  type RatingRecord,
  RatingRecordSchema,
  type RectificationRecord,
  RectificationRecordSchema,
} from '#core/evaluation/model.ts';
import type { EvaluationStore, Page, PageRequest } from '#core/evaluation/ports.ts';
import { config } from '../config.ts';
import { pauseBeforeRetry } from '../shared/backoff.ts';
import { GetCommand, QueryCommand, type TransactItems, TransactWriteCommand } from './commands.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { keys } from './keys.ts';
import { applicantKey } from './privacy-store.ts';
import { isConditionFailure, isTransactionConflict, send } from './send.ts';
import {
  inquiryAnswerCounterItems,
  inquiryCounterItems,
  ratingCounterItems,
  rectificationCounterItems,
} from './statistics-updates.ts';

const table = () => config().TABLE_NAME;

export const evaluationKeys = {
  rating: (caseId: string) => ({ pk: keys.casePk(caseId), sk: 'RATING' }),
  rectification: (caseId: string, departmentId: string) => ({
    pk: keys.casePk(caseId),
    sk: `RECT#${departmentId}`,
  }),
  departmentRectifications: (
    r: Pick<RectificationRecord, 'departmentId' | 'status' | 'dueAt' | 'rectificationId'>,
  ) => ({
    gsi1pk: `DEPTRECT#${r.departmentId}`,
    gsi1sk: `${r.status === 'open' ? 0 : 1}#${r.dueAt}#${r.rectificationId}`,
  }),
  openRectification: (r: Pick<RectificationRecord, 'dueAt' | 'rectificationId'>) => ({
    gsi2pk: 'OPENRECT',
    gsi2sk: `${r.dueAt}#${r.rectificationId}`,
  }),
  inquiry: (inquiryId: string) => ({ pk: `INQUIRY#${inquiryId}`, sk: 'INQUIRY' }),
  departmentInquiries: (q: Pick<InquiryRecord, 'departmentId' | 'status' | 'dueAt' | 'inquiryId'>) => ({
    gsi1pk: `DEPTINQ#${q.departmentId}`,
    gsi1sk: `${q.status === 'open' ? 0 : 1}#${q.dueAt}#${q.inquiryId}`,
  }),
  openInquiry: (q: Pick<InquiryRecord, 'dueAt' | 'inquiryId'>) => ({
    gsi2pk: 'OPENINQUIRY',
    gsi2sk: `${q.dueAt}#${q.inquiryId}`,
  }),
  applicantInquiry: (q: Pick<InquiryRecord, 'applicantKey' | 'createdAt' | 'inquiryId'>) => ({
    pk: `APPLICANTINQ#${q.applicantKey}`,
    sk: `${q.createdAt}#${q.inquiryId}`,
  }),
} as const;

/** One transaction, retried when it lost a race to another one (not on a condition failure). */
async function transact(items: TransactItems): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      if (!isTransactionConflict(err) || attempt >= 8) throw err;
      await pauseBeforeRetry(attempt + 1);
    }
  }
}

function rectificationItem(r: RectificationRecord) {
  return {
    ...evaluationKeys.rectification(r.caseId, r.departmentId),
    type: 'rectification',
    ...evaluationKeys.departmentRectifications(r),
    ...(r.status === 'open' ? evaluationKeys.openRectification(r) : {}),
    ...r,
  };
}

/** The items of a rating: the rating, each rectification it opens, the case's timeline entry. */
export function ratingItems(
  rating: RatingRecord,
  rectifications: readonly RectificationRecord[],
  timeline: TimelineEntry,
): TransactItems {
  return [
    {
      Put: {
        TableName: table(),
        Item: { ...evaluationKeys.rating(rating.caseId), type: 'rating', ...rating },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...rectifications.map((r) => ({
      Put: {
        TableName: table(),
        Item: rectificationItem(r),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    })),
    {
      Put: {
        TableName: table(),
        Item: {
          ...keys.event(rating.caseId, timeline.at, randomUUID().slice(0, 8)),
          type: 'event',
          at: timeline.at,
          event: timeline.event,
          ...(timeline.detail ? { detail: timeline.detail } : {}),
        },
      },
    },
    // GET /v1/statistics: 满意率 and 差评整改率 count iff the rating commits (statistics-store.ts).
    ...ratingCounterItems(rating, rectifications),
  ];
}

/** The items completing a rectification: conditional on it being open; it leaves the open index. */
export function rectificationCompletionItems(
  r: RectificationRecord,
  completion: NonNullable<RectificationRecord['completion']>,
): TransactItems {
  return [
    {
      Update: {
        TableName: table(),
        Key: evaluationKeys.rectification(r.caseId, r.departmentId),
        UpdateExpression:
          'SET #status = :done, completion = :completion, gsi1sk = :gsi1sk REMOVE gsi2pk, gsi2sk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':done': 'completed',
          ':open': 'open',
          ':completion': completion,
          ':gsi1sk': evaluationKeys.departmentRectifications({ ...r, status: 'completed' }).gsi1sk,
        },
      },
    },
    ...rectificationCounterItems(r, completion),
  ];
}

/** The items of a new inquiry: the inquiry (in its department's and the open index) and the applicant's entry. */
export function inquiryItems(q: InquiryRecord): TransactItems {
  return [
    {
      Put: {
        TableName: table(),
        Item: {
          ...evaluationKeys.inquiry(q.inquiryId),
          type: 'inquiry',
          ...evaluationKeys.departmentInquiries(q),
          ...evaluationKeys.openInquiry(q),
          ...q,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table(),
        Item: { ...evaluationKeys.applicantInquiry(q), type: 'applicantInquiry', ...q },
      },
    },
    ...inquiryCounterItems(q),
  ];
}

/** The items answering an inquiry: conditional on it being open; the applicant's entry follows. */
export function inquiryAnswerItems(
  q: InquiryRecord,
  answer: NonNullable<InquiryRecord['answer']>,
): TransactItems {
  const values = { ':answered': 'answered', ':open': 'open', ':answer': answer };
  return [
    {
      Update: {
        TableName: table(),
        Key: evaluationKeys.inquiry(q.inquiryId),
        UpdateExpression: 'SET #status = :answered, answer = :answer, gsi1sk = :gsi1sk REMOVE gsi2pk, gsi2sk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ...values,
          ':gsi1sk': evaluationKeys.departmentInquiries({ ...q, status: 'answered' }).gsi1sk,
        },
      },
    },
    {
      Update: {
        TableName: table(),
        Key: evaluationKeys.applicantInquiry(q),
        UpdateExpression: 'SET #status = :answered, answer = :answer',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    },
    ...inquiryAnswerCounterItems(q, answer),
  ];
}

// ───────────────────────────── reads ─────────────────────────────

type QueryResult = { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };

async function page<T>(
  parse: (item: Record<string, unknown>) => T,
  query: {
    index?: 'gsi1';
    pk: string;
    page: PageRequest;
    newestFirst?: boolean;
    filter?: Record<string, unknown>;
  },
): Promise<Page<T>> {
  const pkName = query.index ? 'gsi1pk' : 'pk';
  const names = query.index ? ['pk', 'sk', 'gsi1pk', 'gsi1sk'] : ['pk', 'sk'];
  const r = await send<QueryResult>(
    new QueryCommand({
      TableName: table(),
      ...(query.index ? { IndexName: query.index } : {}),
      KeyConditionExpression: `${pkName} = :pk`,
      ExpressionAttributeValues: { ':pk': query.pk, ...(query.filter?.values as Record<string, unknown>) },
      ...(query.filter ? { FilterExpression: query.filter.expression as string } : {}),
      ...(query.newestFirst ? { ScanIndexForward: false } : {}),
      Limit: query.page.limit,
      ExclusiveStartKey: decodeCursor(query.page.cursor, pkName, query.pk, names),
    }),
  );
  const next = encodeCursor(r.LastEvaluatedKey);
  return { items: (r.Items ?? []).map(parse), ...(next ? { nextCursor: next } : {}) };
}

/** Every item of a sparse gsi2 partition due before `before` (or all), earliest first, at most `max`. */
async function openByDue<T>(
  parse: (item: Record<string, unknown>) => T,
  pk: string,
  max: number,
  before?: string,
) {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await send<QueryResult>(
      new QueryCommand({
        TableName: table(),
        IndexName: 'gsi2',
        KeyConditionExpression: before ? 'gsi2pk = :pk AND gsi2sk < :before' : 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(before ? { ':before': before } : {}) },
        Limit: Math.min(100, max - out.length),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    out.push(...(r.Items ?? []).map(parse));
    start = r.LastEvaluatedKey;
  } while (start && out.length < max);
  return out;
}

const parseRectification = (i: Record<string, unknown>) => RectificationRecordSchema.parse(i);
const parseInquiry = (i: Record<string, unknown>) => InquiryRecordSchema.parse(i);

async function getItem(key: { pk: string; sk: string }) {
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
  );
  return r.Item;
}

export const evaluationStore: EvaluationStore = {
  createRating: (rating, rectifications, timeline) => transact(ratingItems(rating, rectifications, timeline)),

  async getRating(caseId) {
    const item = await getItem(evaluationKeys.rating(caseId));
    return item ? RatingRecordSchema.parse(item) : undefined;
  },

  async getRectification(rectificationId) {
    const caseId = caseIdOfRectification(rectificationId);
    if (!caseId) return undefined;
    const departmentId = rectificationId.slice(`${caseId}.rect.`.length);
    const item = await getItem(evaluationKeys.rectification(caseId, departmentId));
    return item ? parseRectification(item) : undefined;
  },

  completeRectification: (current, completion) => transact(rectificationCompletionItems(current, completion)),

  departmentRectifications: (departmentId, p) =>
    page(parseRectification, { index: 'gsi1', pk: `DEPTRECT#${departmentId}`, page: p }),

  openRectifications: (max) => openByDue(parseRectification, 'OPENRECT', max),

  async createInquiry(inquiry) {
    if (!(await transact(inquiryItems(inquiry))))
      throw new Error(`inquiry id ${inquiry.inquiryId} exists (128 random bits collided)`);
  },

  async getInquiry(inquiryId) {
    if (!/^q-[0-9a-z]{1,40}$/.test(inquiryId)) return undefined;
    const item = await getItem(evaluationKeys.inquiry(inquiryId));
    return item ? parseInquiry(item) : undefined;
  },

  answerInquiry: (current, answer) => transact(inquiryAnswerItems(current, answer)),

  departmentInquiries: (departmentId, p) =>
    page(parseInquiry, { index: 'gsi1', pk: `DEPTINQ#${departmentId}`, page: p }),

  applicantInquiries: (key, portalId, p) =>
    page(parseInquiry, {
      pk: `APPLICANTINQ#${key}`,
      page: p,
      newestFirst: true,
      // Through this portal, or by the hotline (no portal): another portal's stay with it.
      filter: {
        expression: 'channel = :hotline OR portalId = :portal',
        values: { ':hotline': 'hotline', ':portal': portalId },
      },
    }),

  openInquiriesDueBefore: (before, max) => openByDue(parseInquiry, 'OPENINQUIRY', max, before),

  applicantKey: (whose) => applicantKey(whose),
};
