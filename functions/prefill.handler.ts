/**
 * POST /v1/prefill — 共享数据自动调用: the merged form's fields the government already holds about
 * the applicant, and the materials already on file — for the signed-in applicant only (or the
 * organisation they act for), with their consent (purpose: the bundle and services; the fields; an
 * expiry), at most 20 lookups per applicant per hour. Every lookup is in the applicant's access log.
 * POST, so that no identifier is ever in a URL (access logs, caches); nothing about the applicant
 * is logged.
 */
import { randomUUID } from 'node:crypto';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { privacyStore } from '#adapters/dynamodb/privacy-store.ts';
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
    'POST so that no identifier is ever in a URL. An unknown applicant is not an error: `found: false`, nothing filled. An Idempotency-Key keeps no copy of the answer (it is the applicant’s data): the same key and request look the applicant up again — the consent recorded, the lookup logged and counted again.',
  tags: ['Cases'],
  // Checked by the use case: shape, identifiers and catalog problems go out together.
  body: {
    schema: PrefillRequestSchema,
    description:
      'The bundle, chosen services, the applicant’s identifier (the signed-in applicant’s, or their organisation’s) and their consent { fields, expiresAt }.',
    checkedByUseCase: true,
  },
  responses: {
    200: { description: 'The prefill, with its preview and the consent recorded.', schema: PrefillSchema },
  },
  problems: {
    403: 'The applicant asked about is not the signed-in applicant, nor one it may act for (`applicant_mismatch`): nothing is looked up.',
    429: 'More than 20 lookups by this applicant in the hour (`too_many_requests`): retry after `Retry-After` seconds.',
    422: 'Unknown bundle or services, an invalid identifier, or no or a bad consent (`consent_required`, `consent_expiry`, `unknown_field`): every problem listed.',
  },
  // Records the consent, the lookup (access log) and the hourly count.
  needs: { table: 'write' },
  // The answer is the applicant's data from the shared-data store: no copy of it is kept for an
  // Idempotency-Key (only the request's fingerprint); a repeat is a new lookup — consent recorded,
  // access logged and counted again.
  idempotentRepeat: 'rerun',
});

export const handler = httpHandler(route)(async ({ body, caller }) => {
  const answer = await prefillApplication({ sharedData, now: () => new Date() }, catalog(), body, {
    identity: caller.applicant,
    portalId: caller.portalId,
    privacy: privacyStore,
    newId: () => `consent-${randomUUID()}`,
  });
  return { status: 200, body: answer, headers: { 'cache-control': 'no-store' } };
});
