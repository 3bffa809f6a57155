/**
 * POST /v1/prefill — 共享数据自动调用: the merged form's fields the government already holds about
 * the applicant, and the materials already on file. POST, so that no identifier is ever in a URL
 * (access logs, caches); nothing about the applicant is logged.
 */
import * as z from 'zod';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { sharedData } from '#adapters/dynamodb/shared-data.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { prefillApplication } from '#core/catalog/prefill.ts';

// The body is checked by the use case: shape, identifiers and catalog problems go out together.
export const handler = makeHttpHandler({ caller: 'portal', body: z.unknown() }, async ({ body }) => {
  const answer = await prefillApplication({ sharedData, now: () => new Date() }, catalog(), body);
  return { status: 200, body: answer, headers: { 'cache-control': 'no-store' } };
});
