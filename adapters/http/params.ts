/**
 * Path, query and header shapes of the HTTP routes (zod at the trust boundary). They live here,
 * not inline in the handlers, because two readers need the very same objects: the handler that
 * parses a request with them, and the API contract (adapters/http/schemas.ts and each route spec) that publishes them in
 * the OpenAPI document. Catalog routes use core/catalog/requests.ts the same way.
 */
import * as z from 'zod';
import { TASK_STATUSES } from '#core/case/model.ts';
import { MAX_WAIT_SECONDS } from '#core/flow/long-poll.ts';

export const CaseParams = z.object({ caseId: z.string().min(1).max(100) });
export const MaterialParams = z.object({ materialId: z.string().min(1).max(100) });
export const TaskParams = z.object({ taskId: z.string().min(1).max(200) });
export const LicenseParams = z.object({ licenseId: z.string().min(1).max(200) });
export const DepartmentParams = z.object({ departmentId: z.string().min(1).max(100) });

/** `?status=pending&limit=20&cursor=…` of a department's inbox. */
export const TaskListQuery = z.object({
  status: z.enum(TASK_STATUSES).default('pending'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2000).optional().describe('The nextCursor of the previous page, unchanged.'),
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .default(0)
    .describe(
      `Long poll: with an empty first page, wait up to this many seconds (0–${MAX_WAIT_SECONDS}) for a task to arrive, answering as soon as one does.`,
    ),
});

/** `?limit=&cursor=` of an applicant's listings (their cases, their access log). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2000).optional().describe('The nextCursor of the previous page, unchanged.'),
});

/** 1–255 visible ASCII characters: the key a portal chooses so that retries never create two cases. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Request headers of POST /v1/cases (names lower-cased, as handlers see them). */
export const SubmitCaseHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY)
    .describe(
      'Chosen by the portal, e.g. a UUID. The same key with the same body returns the same case; with another body it is refused.',
    ),
});
