/**
 * GET /v1/cases: a portal's cases of one applicant, newest first (keys.ts: the APPLICANT# index
 * entries, written with each case), with their current status from the case items.
 */

import type { PrefillApplicant } from '#core/catalog/prefill.ts';
import { BadRequestError } from '#core/shared/errors.ts';
import { config } from '../config.ts';
import { BatchGetCommand, QueryCommand } from './commands.ts';
import { keys } from './keys.ts';
import { applicantKey } from './privacy-store.ts';
import { send } from './send.ts';

export interface ApplicantCaseSummary {
  readonly id: string;
  readonly bundleId: string;
  readonly status: string;
  readonly createdAt: string;
}

const encode = (sk: string) => Buffer.from(sk, 'utf8').toString('base64url');
function decode(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!sk.startsWith('CASE#')) throw new BadRequestError('The cursor is not one this listing gave out.');
  return sk;
}

export async function applicantCases(
  portalId: string,
  whose: PrefillApplicant,
  page: { readonly limit: number; readonly cursor?: string },
): Promise<{ items: ApplicantCaseSummary[]; nextCursor?: string }> {
  const TableName = config().TABLE_NAME;
  const pk = keys.applicantCasesPk(portalId, await applicantKey(whose));
  const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :case)',
      ExpressionAttributeValues: { ':pk': pk, ':case': 'CASE#' },
      ScanIndexForward: false,
      Limit: page.limit,
      ...(page.cursor ? { ExclusiveStartKey: { pk, sk: decode(page.cursor) } } : {}),
    }),
  );
  const entries = r.Items ?? [];
  const statuses = new Map<string, string>();
  if (entries.length) {
    const got = await send<{ Responses?: Record<string, Record<string, unknown>[]> }>(
      new BatchGetCommand({
        RequestItems: {
          [TableName]: {
            Keys: entries.map((e) => keys.case(e.caseId as string)),
            ProjectionExpression: 'caseId, #s',
            ExpressionAttributeNames: { '#s': 'status' },
          },
        },
      }),
    );
    for (const c of got.Responses?.[TableName] ?? []) statuses.set(c.caseId as string, c.status as string);
  }
  const items = entries.map((e) => ({
    id: e.caseId as string,
    bundleId: e.bundleId as string,
    status: statuses.get(e.caseId as string) ?? 'submitted',
    createdAt: e.createdAt as string,
  }));
  const last = r.LastEvaluatedKey?.sk;
  return { items, ...(typeof last === 'string' ? { nextCursor: encode(last) } : {}) };
}
