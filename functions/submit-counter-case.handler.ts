/**
 * POST /v1/counter/cases — 窗口: a counter portal submits for an applicant its officer verified in
 * person (ID card checked at the desk), who has no OpenID token with them. Only a portal
 * registered as a counter may (adapters/dynamodb/counter-portals.ts); the case records that the
 * applicant was verified by the counter, and by which officer. Otherwise the same submission as
 * POST /v1/cases: the same checks, one 422 with every problem, the same Idempotency-Key replay.
 */
import * as z from 'zod/mini';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { isCounterPortal } from '#adapters/dynamodb/counter-portals.ts';
import { materialLookup } from '#adapters/dynamodb/material-store.ts';
import { sharedData } from '#adapters/dynamodb/shared-data.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { SubmitCaseHeaders } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { CaseSubmittedSchema, LocationHeader } from '#adapters/http/schemas.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { ApplicationSchema } from '#core/case/application.ts';
import { submitCase } from '#core/case/submit-case.ts';
import { submissionView } from '#core/case/views.ts';
import { ForbiddenError } from '#core/shared/errors.ts';

const CounterHeaders = z.extend(SubmitCaseHeaders, {
  'applicant-verified-in-person': z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9._-]{1,64}$/),
      z.describe(
        'The id of the counter officer who verified the applicant in person (their ID card at the desk).',
      ),
    ),
});

export const route = defineRoute({
  name: 'submit-counter-case',
  method: 'POST',
  path: '/v1/counter/cases',
  caller: 'portal',
  summary: 'Apply at a counter (窗口) for an applicant verified in person',
  description:
    'For portals registered as counters only (`npm run credentials -- issue-portal --counter`). The application names the applicant (ID number or credit code, and name) as the officer verified them; no applicant token is sent. The case records `actedBy.verifiedBy: { kind: "counter", officer }`. The applicant later follows the case signed in with their own token.',
  tags: ['Cases'],
  headers: CounterHeaders,
  body: { schema: ApplicationSchema, description: 'The application.', checkedByUseCase: true },
  responses: {
    201: {
      description: 'Submitted; the same answer for every retry with the same Idempotency-Key and body.',
      schema: CaseSubmittedSchema,
      headers: LocationHeader,
    },
  },
  problems: {
    400: 'The Idempotency-Key or Applicant-Verified-In-Person header is missing or malformed, or the body is not JSON.',
    403: 'This portal is not registered as a counter (`not_a_counter`): it cannot assert an applicant verified in person.',
    422: 'The application is invalid (every problem listed), or the Idempotency-Key was used before with another body.',
  },
  needs: { table: 'write', files: 'read', workflow: ['start'] },
});

export class NotACounterError extends ForbiddenError {
  override readonly code = 'not_a_counter';
}

export const handler = httpHandler(route)(async ({ body, headers, caller, baseUrl }) => {
  if (!(await isCounterPortal(caller.portalId)))
    throw new NotACounterError(
      'This portal is not registered as a counter (窗口): only counters may submit for applicants verified in person.',
    );
  const { record, created } = await submitCase(
    {
      cases: caseRepository,
      materials: materialLookup,
      sharedData,
      workflow,
      places: places(),
      now: () => new Date(),
    },
    catalog(),
    {
      portalId: caller.portalId,
      counter: { officer: headers['applicant-verified-in-person']! },
      idempotencyKey: headers['idempotency-key']!,
      body,
    },
  );
  return {
    status: 201,
    body: submissionView(record),
    headers: { location: `${baseUrl}/v1/cases/${record.caseId}`, 'idempotent-replayed': String(!created) },
  };
});
