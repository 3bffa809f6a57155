/**
 * Path, query and header shapes of the HTTP routes (zod at the trust boundary). They live here,
 * not inline in the handlers, because two readers need the very same objects: the handler that
 * parses a request with them, and the API contract (adapters/http/schemas.ts and each route spec) that publishes them in
 * the OpenAPI document. Catalog routes use core/catalog/requests.ts the same way.
 */
import * as z from 'zod/mini';
import { TASK_STATUSES } from '#core/case/model.ts';
import { MAX_WAIT_SECONDS } from '#core/flow/long-poll.ts';

export const CaseParams = z.object({ caseId: z.string().check(z.minLength(1), z.maxLength(100)) });
export const MaterialParams = z.object({ materialId: z.string().check(z.minLength(1), z.maxLength(100)) });
export const TaskParams = z.object({ taskId: z.string().check(z.minLength(1), z.maxLength(200)) });
export const LicenseParams = z.object({ licenseId: z.string().check(z.minLength(1), z.maxLength(200)) });
export const DepartmentParams = z.object({
  departmentId: z.string().check(z.minLength(1), z.maxLength(100)),
});

/** `?status=pending&limit=20&cursor=…` of a department's inbox. */
export const TaskListQuery = z.object({
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
});

/** `?limit=&cursor=` of an applicant's listings (their cases, their access log). */
export const PageQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z
    .optional(z.string().check(z.maxLength(2000)))
    .check(z.describe('The nextCursor of the previous page, unchanged.')),
});

/** 1–255 visible ASCII characters: the key a portal chooses so that retries never create two cases. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Request headers of POST /v1/cases (names lower-cased, as handlers see them). */
export const SubmitCaseHeaders = z.object({
  'idempotency-key': z
    .string()
    .check(
      z.regex(IDEMPOTENCY_KEY),
      z.describe(
        'Chosen by the portal, e.g. a UUID. The same key with the same body returns the same case; with another body it is refused.',
      ),
    ),
});

/**
 * `?services=a,b` of the catalog routes (guide, form, metrics), documented once: a list of service
 * ids sent comma-separated (OpenAPI style form, explode false), split before it is checked.
 */
export const ChosenServicesQuery = z.object({
  services: z
    .optional(
      z.pipe(
        z.transform((v) =>
          typeof v === 'string'
            ? v
                .split(',')
                .map((id) => id.trim())
                .filter(Boolean)
            : v,
        ),
        z
          .array(z.string().check(z.minLength(1), z.maxLength(100)))
          .check(
            z.maxLength(50),
            z.meta({ examples: [['enterprise-establishment-registration', 'company-seal-filing']] }),
          ),
      ),
    )
    .check(z.describe('The chosen services’ ids, comma-separated; omitted means the whole bundle.')),
});
