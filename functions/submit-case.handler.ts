/** POST /v1/cases — 一次提交: one application for all or some services of a bundle. */
import * as z from 'zod/mini';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { authorisationStore } from '#adapters/dynamodb/authorisation-store.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { materialLookup } from '#adapters/dynamodb/material-store.ts';
import { privacyStore } from '#adapters/dynamodb/privacy-store.ts';
import { sharedData } from '#adapters/dynamodb/shared-data.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { SubmitCaseHeaders } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { CaseSubmittedSchema, LocationHeader } from '#adapters/http/schemas.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { ApplicationSchema } from '#core/case/application.ts';
import { submitCase } from '#core/case/submit-case.ts';
import { submissionView } from '#core/case/views.ts';

export const route = defineRoute({
  name: 'submit-case',
  method: 'POST',
  path: '/v1/cases',
  caller: 'applicant',
  summary: 'Apply once (一次提交) for all or some services of a bundle',
  description:
    'Every problem of the application comes back at once (一次反馈): missing or malformed fields, missing, unknown or unverified materials, services not in the bundle or that must go together.',
  tags: ['Cases'],
  headers: SubmitCaseHeaders,
  // Checked by the use case: shape, catalog and material problems go out in one 422.
  body: { schema: ApplicationSchema, description: 'The application.', checkedByUseCase: true },
  responses: {
    201: {
      description: 'Submitted; the same answer for every retry with the same Idempotency-Key and body.',
      schema: CaseSubmittedSchema,
      headers: {
        ...LocationHeader,
        'Idempotent-Replayed': {
          description: '"true" when this answers a retry of an earlier submission.',
          schema: z.enum(['true', 'false']),
        },
      },
    },
  },
  problems: {
    403: 'The application’s applicant is not the signed-in applicant (by ID number or credit code, or by name), nor one it may act for (`applicant_mismatch`, saying what disagrees).',
    400: 'The Idempotency-Key header is missing or malformed, or the body is not JSON.',
    422: 'The application is invalid (every problem listed — among them `material_in_use` for a material already part of another case, `material_changed` for one whose stored bytes changed since they were verified), or the Idempotency-Key was used before with another body (code `idempotency_key_reused`). Nothing is written: the same Idempotency-Key may be sent again with a corrected body.',
  },
  needs: { table: 'write', files: 'read', workflow: ['start'] },
});

export const handler = httpHandler(route)(async ({ body, headers, caller, baseUrl }) => {
  const { record, created } = await submitCase(
    {
      cases: caseRepository,
      materials: materialLookup,
      sharedData,
      workflow,
      places: places(),
      authorisations: authorisationStore,
      now: () => new Date(),
    },
    catalog(),
    {
      portalId: caller.portalId,
      identity: caller.applicant,
      idempotencyKey: headers['idempotency-key']!,
      body,
    },
  );
  // 帮办代办: the applicant's access log shows that a helper applied for them, under which authorisation.
  if (created && record.acting?.basis === 'authorisation')
    await privacyStore.recordAccess(record.applicant, {
      at: record.createdAt,
      actor: { kind: 'helper', id: record.acting.subject },
      purpose: `authorisation:${record.acting.authorisationId}`,
      caseId: record.caseId,
    });
  return {
    status: 201,
    body: submissionView(record),
    headers: { location: `${baseUrl}/v1/cases/${record.caseId}`, 'idempotent-replayed': String(!created) },
  };
});
