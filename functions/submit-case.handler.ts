/** POST /v1/cases — 一次提交: one application for all or some services of a bundle. */
import * as z from 'zod';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { materialLookup } from '#adapters/dynamodb/material-store.ts';
import { sharedData } from '#adapters/dynamodb/shared-data.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { IDEMPOTENCY_KEY } from '#core/api/requests.ts';
import { submitCase } from '#core/case/submit-case.ts';
import { submissionView } from '#core/case/views.ts';
import { BadRequestError } from '#core/shared/errors.ts';

export const handler = makeHttpHandler(
  { caller: 'portal', body: z.unknown() },
  async ({ body, headers, caller, baseUrl }) => {
    const key = headers['idempotency-key'];
    if (!key || !IDEMPOTENCY_KEY.test(key))
      throw new BadRequestError(
        'Send an Idempotency-Key header (1–255 visible ASCII characters) so that retries never create a second case.',
        [
          {
            path: '/headers/idempotency-key',
            code: 'required',
            message: 'Idempotency-Key header is required.',
          },
        ],
      );
    if (caller.kind !== 'portal') throw new Error('unreachable');
    const { record, created } = await submitCase(
      {
        cases: caseRepository,
        materials: materialLookup,
        sharedData,
        workflow,
        now: () => new Date(),
      },
      catalog(),
      { portalId: caller.portalId, idempotencyKey: key, body },
    );
    return {
      status: 201,
      body: submissionView(record),
      headers: { location: `${baseUrl}/v1/cases/${record.caseId}`, 'idempotent-replayed': String(!created) },
    };
  },
);
