/**
 * Path, query and header shapes of the HTTP routes (zod at the trust boundary). They live here,
 * not inline in the handlers, because two readers need the very same objects: the handler that
 * parses a request with them, and the API contract (adapters/http/schemas.ts and each route spec) that publishes them in
 * the OpenAPI document. Catalog routes use core/catalog/requests.ts the same way.
 */
import * as z from 'zod/mini';
import { TASK_STATUSES } from '#core/case/model.ts';
import { MAX_WAIT_SECONDS } from '#core/flow/long-poll.ts';

// Each schema is built by a call marked /* @__PURE__ */: a Lambda bundle that imports this module
// and never uses a schema drops it, and builds nothing of it at init (esbuild removes an unused
// pure call; a bare z.object(…) it must keep, issue #14).
export const CaseParams = /* @__PURE__ */ (() =>
  z.object({ caseId: z.string().check(z.minLength(1), z.maxLength(100)) }))();
export const MaterialParams = /* @__PURE__ */ (() =>
  z.object({ materialId: z.string().check(z.minLength(1), z.maxLength(100)) }))();
export const TaskParams = /* @__PURE__ */ (() =>
  z.object({ taskId: z.string().check(z.minLength(1), z.maxLength(200)) }))();
export const LicenseParams = /* @__PURE__ */ (() =>
  z.object({ licenseId: z.string().check(z.minLength(1), z.maxLength(200)) }))();
export const DepartmentParams = /* @__PURE__ */ (() =>
  z.object({
    departmentId: z.string().check(z.minLength(1), z.maxLength(100)),
  }))();

/** `?status=pending&limit=20&cursor=…` of a department's inbox. */
export const TaskListQuery = /* @__PURE__ */ (() =>
  z.object({
    status: z._default(z.enum(TASK_STATUSES), 'pending'),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
    cursor: z
      .optional(z.string().check(z.maxLength(2000)))
      .check(z.describe('The nextCursor of the previous page, unchanged.')),
    wait: z
      ._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(MAX_WAIT_SECONDS)), 0)
      .check(
        z.describe(
          `Long poll: with an empty first page, wait up to this many seconds (0–${MAX_WAIT_SECONDS}) for a task to arrive, answering as soon as one does.`,
        ),
      ),
  }))();

/** `?limit=&cursor=` of an applicant's listings (their cases, their access log). */
export const PageQuery = /* @__PURE__ */ (() =>
  z.object({
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
    cursor: z
      .optional(z.string().check(z.maxLength(2000)))
      .check(z.describe('The nextCursor of the previous page, unchanged.')),
  }))();

import { IDEMPOTENCY_KEY } from './idempotency-key.ts';

export { IDEMPOTENCY_KEY };

/** Request headers of POST /v1/cases (names lower-cased, as handlers see them). */
export const SubmitCaseHeaders = /* @__PURE__ */ (() =>
  z.object({
    'idempotency-key': z
      .string()
      .check(
        z.regex(IDEMPOTENCY_KEY),
        z.describe(
          'Chosen by the portal, e.g. a UUID. The same key with the same body returns the same case; with another body it is refused.',
        ),
      ),
  }))();

export { ChosenServicesQuery } from './catalog-query.ts';
