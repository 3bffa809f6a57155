/**
 * POST /v1/prefill — 共享数据自动调用: the merged form's fields the government already holds about
 * the applicant, and the materials already on file. POST, so that no identifier is ever in a URL
 * (access logs, caches); nothing about the applicant is logged.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { sharedData } from '#adapters/dynamodb/shared-data.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { PrefillSchema } from '#adapters/http/schemas.ts';
import { PrefillRequestSchema, prefillApplication } from '#core/catalog/prefill.ts';

export const route = defineRoute({
  name: 'prefill',
  method: 'POST',
  path: '/v1/prefill',
  caller: 'applicant',
  summary: 'What the government already holds about the applicant: form values and materials on file',
  description:
    'POST so that no identifier is ever in a URL. An unknown applicant is not an error: `found: false`, nothing filled.',
  tags: ['Cases'],
  // Checked by the use case: shape, identifiers and catalog problems go out together.
  body: {
    schema: PrefillRequestSchema,
    description: 'The bundle, chosen services and the applicant’s identifier.',
    checkedByUseCase: true,
  },
  responses: { 200: { description: 'The prefill.', schema: PrefillSchema } },
  problems: {
    403: 'The applicant asked about is not the signed-in applicant, nor one it may act for (`applicant_mismatch`): nothing is looked up.',
    422: 'Unknown bundle or services, or an invalid identifier: every problem listed.',
  },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ body, caller }) => {
  const answer = await prefillApplication({ sharedData, now: () => new Date() }, catalog(), body, {
    identity: caller.applicant,
  });
  return { status: 200, body: answer, headers: { 'cache-control': 'no-store' } };
});
