/**
 * The HTTP contract as data: for every route of functions/routes.ts (by name) what it takes and
 * what it answers, as zod schemas. core/api/openapi.ts turns this into the published OpenAPI 3.1
 * document (GET /v1/openapi.json); nothing in that document is written by hand.
 *
 * Requests reuse the very schemas the handlers parse with (core/api/requests.ts,
 * core/catalog/requests.ts, the use cases' body schemas), so the document cannot drift from what
 * is accepted. Responses are described here, next to the views that build them (core/case/views.ts,
 * core/catalog/views.ts, core/catalog/guide.ts and the handlers); tests call every route and
 * validate the real answers against the document, so these cannot drift either. Response objects
 * are closed (no undocumented field gets out); a later version may add fields, so clients should
 * ignore fields they do not know.
 */
import * as z from 'zod';
import { ApplicantSchema, ApplicationSchema } from '../case/application.ts';
import { CASE_STATUSES } from '../case/lifecycle.ts';
import {
  CaseMaterialSchema,
  CorrectionItemSchema,
  OUTCOMES,
  TASK_KINDS,
  TASK_STATUSES,
} from '../case/model.ts';
import { SupplementSchema } from '../case/submit-supplement.ts';
import { WithdrawalSchema } from '../case/withdraw-case.ts';
import { PrefillRequestSchema } from '../catalog/prefill.ts';
import { BundleParams, ServicesQuery } from '../catalog/requests.ts';
import {
  BundleSchema,
  DeliveryMethodSchema,
  MaterialAskSchema,
  MaterialTypeSchema,
  ServiceSchema,
} from '../catalog/schema.ts';
import { DecisionRequestSchema } from '../flow/decide-task.ts';
import { DeclarationSchema } from '../materials/declaration.ts';
import { CASE_STATUS_CHANGED } from '../webhooks/events.ts';
import { WebhookParams, WebhookRequestSchema } from '../webhooks/register.ts';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../webhooks/signing.ts';
import {
  CaseParams,
  DepartmentParams,
  LicenseParams,
  MaterialParams,
  SubmitCaseHeaders,
  TaskListQuery,
  TaskParams,
} from './requests.ts';

// ───────────────────────────── shared pieces ─────────────────────────────

/** `?services=a,b` of the catalog routes (guide, form, metrics), documented once. */
const ChosenServicesQuery = ServicesQuery.extend({
  services: ServicesQuery.shape.services.describe(
    'Comma-separated service ids; omitted means the whole bundle.',
  ),
});

const Timestamp = z.iso.datetime().describe('An instant, ISO 8601 in UTC (e.g. 2025-03-01T08:00:00.000Z).');
const count = z.number().int().nonnegative();
const Link = z.url().describe('A short-lived presigned URL.');

/** RFC 9457 problem details; `errors` lists every problem of the request at once (一次反馈). */
export const ProblemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem.'),
    title: z.string(),
    status: z.number().int().min(400).max(599).describe('The HTTP status, repeated.'),
    detail: z.string(),
    instance: z.string().optional().describe('The request id: quote it when reporting a problem.'),
    code: z.string().optional().describe('A stable machine-readable code.'),
    errors: z
      .array(
        z.object({
          path: z
            .string()
            .describe('JSON Pointer into the request, e.g. /form/enterpriseName or /query/services.'),
          code: z.string(),
          message: z.string(),
        }),
      )
      .max(100)
      .optional()
      .describe(
        'One entry per problem with the request, at most 100: the rest are counted in `omittedErrors`.',
      ),
    omittedErrors: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'How many further problems were found but not listed (present only when `errors` holds its maximum of 100). Elements of a list beyond 1000 are not checked one by one: the list’s own size problem covers them.',
      ),
  })
  .meta({
    examples: [
      {
        type: 'https://yijianshi.dev/problems/validation_failed',
        title: 'The request breaks one or more rules',
        status: 422,
        detail: '2 problems in the request',
        code: 'validation_failed',
        errors: [
          {
            path: '/form/enterpriseName',
            code: 'required',
            message: '企业名称 (enterpriseName) is required.',
          },
          {
            path: '/materials',
            code: 'material_missing',
            message: '公司章程 (articles-of-association) is required.',
          },
        ],
      },
    ],
  });

const DepartmentRef = z.object({ id: z.string(), name: z.string() });

// ───────────────────────────── catalog ─────────────────────────────

const s = ServiceSchema.shape;

const ServiceSummary = z.object({
  id: z.string(),
  name: z.string(),
  departmentId: z.string(),
  timeLimitDays: count.describe('Committed time limit in working days.'),
});

const BundleSummary = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string().optional(),
  audience: BundleSchema.shape.audience,
  category: BundleSchema.shape.category,
  detail: BundleSchema.shape.detail,
  leadDepartment: DepartmentRef,
  departments: z.array(DepartmentRef).describe('Cooperating departments (配合部门).'),
  services: z.array(ServiceSummary),
  timeLimitDays: count.describe('Working days: reviews run in parallel, so the slowest service decides.'),
});

export const BundleListSchema = z.object({
  city: z.object({ id: z.string(), name: z.string(), region: z.string().optional() }),
  catalogVersion: z.string(),
  items: z.array(BundleSummary),
});

export const ReductionMetricsSchema = z.object({
  services: count,
  departments: count,
  fields: z.object({ before: count, after: count, reductionPercent: z.number() }),
  materials: z.object({
    before: count,
    after: count,
    alreadyHeld: count,
    toUpload: count,
    reductionPercent: z.number(),
  }),
  prefillableShare: z.number().min(0).max(1),
  visits: count.describe('Counter visits needed: 0 when everything can be done online.'),
  timeLimitDays: z.object({ parallel: count, sequentialSum: count }),
});

const ServiceDetail = ServiceSummary.extend({
  departmentName: z.string(),
  legalBasis: s.legalBasis,
  conditions: s.conditions,
  timeLimit: s.timeLimit,
  fees: s.fees,
  result: s.result,
  commitment: s.commitment,
  delivery: s.delivery,
  fields: s.fields,
  materials: s.materials,
});

export const BundleDetailSchema = BundleSummary.extend({
  catalogVersion: z.string(),
  services: z.array(ServiceDetail),
  rules: BundleSchema.shape.rules,
  metrics: ReductionMetricsSchema,
  source: z.string().optional(),
});

const m = MaterialTypeSchema.shape;
const GuideMaterial = z.object({
  type: z.string(),
  name: z.string(),
  required: z.boolean(),
  services: z.array(z.string()),
  holder: m.holder,
  accept: m.accept,
  maxBytes: m.maxBytes,
  deferrable: m.deferrable,
  deferralDays: m.deferralDays,
  description: m.description,
  ...MaterialAskSchema.shape,
});

const GuideStep = z.object({
  order: z.number().int().positive(),
  name: z.string(),
  description: z.string(),
  department: DepartmentRef.optional(),
  departments: z.array(DepartmentRef).optional(),
  delivery: z.array(DeliveryMethodSchema).optional(),
  orderRules: z.array(BundleSchema.shape.rules.unwrap().element).optional(),
});

export const GuideSchema = z.object({
  bundle: z.object({ id: z.string(), name: z.string(), leadDepartment: DepartmentRef }),
  catalogVersion: z.string(),
  services: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      department: DepartmentRef,
      legalBasis: s.legalBasis,
      conditions: s.conditions,
      timeLimit: s.timeLimit,
      fees: s.fees,
      result: s.result,
      commitment: s.commitment,
    }),
  ),
  conditions: z.array(z.string()),
  legalBasis: z.array(z.string()),
  materials: z
    .array(GuideMaterial)
    .describe('What the applicant provides, each material type once (一套材料).'),
  notRequired: z
    .array(GuideMaterial.extend({ reason: z.string() }))
    .describe('What is NOT asked for because the government already holds it.'),
  deferrable: z.array(z.string()).describe('Material types that may follow later (容缺受理).'),
  commitmentServices: z.array(z.string()).describe('Services open to 告知承诺制.'),
  fees: z.object({
    totalYuan: z.number().nonnegative(),
    items: z.array(
      z.object({ serviceId: z.string(), amountYuan: z.number().nonnegative(), note: z.string().optional() }),
    ),
  }),
  results: z.array(z.object({ serviceId: z.string(), kind: s.result.shape.kind, name: z.string() })),
  delivery: z.array(DeliveryMethodSchema),
  timeLimitDays: count,
  legalTimeLimitDays: count,
  steps: z.array(GuideStep),
  metrics: ReductionMetricsSchema,
});

export const FormSchema = z.object({
  bundleId: z.string(),
  services: z.array(z.string()),
  catalogVersion: z.string(),
  schema: z
    .record(z.string(), z.unknown())
    .describe(
      'The merged form (一表申请) as a JSON Schema (draft 2020-12): every property has a title and examples whose first value is valid.',
    ),
});

export const MetricsSchema = z.object({
  bundleId: z.string(),
  services: z.array(z.string()),
  catalogVersion: z.string(),
  metrics: ReductionMetricsSchema,
});

export const PrefillSchema = z.object({
  bundleId: z.string(),
  services: z.array(z.string()),
  found: z.boolean().describe('Whether any shared-data source knows the applicant.'),
  form: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .describe('Merged-form values the government already holds (共享数据自动调用).'),
  materials: z
    .array(
      z.object({
        type: z.string(),
        name: z.string(),
        source: z.enum(['eLicense', 'earlierCase']),
        licenseType: z.string().optional(),
        reference: z
          .string()
          .describe('The e-licence id or earlier material reference, never an identifier.'),
        validUntil: z.string().optional(),
      }),
    )
    .describe('Materials already on file: not to be uploaded again.'),
  missing: z.array(z.string()).describe('Merged fields still to fill, in the form’s order.'),
});

// ───────────────────────────── materials ─────────────────────────────

const MaterialStatus = z.enum(['awaiting_upload', 'verified', 'rejected']);

export const MaterialCreatedSchema = z.object({
  id: z.string(),
  status: MaterialStatus,
  upload: z
    .object({
      url: z.url(),
      method: z.literal('PUT'),
      headers: z.record(z.string(), z.string()).describe('Send exactly these headers with the bytes.'),
      expiresAt: Timestamp,
    })
    .describe('Where and how to send the bytes.'),
  expiresAt: Timestamp.describe('When the declaration is forgotten if no case uses it.'),
});

export const MaterialSchema = z.object({
  id: z.string(),
  bundleId: z.string(),
  type: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int().positive(),
  status: MaterialStatus.describe('verified: the stored bytes are exactly the declared ones.'),
  reason: z.enum(['mismatch', 'wrong_content']).optional(),
  createdAt: Timestamp,
  verifiedAt: Timestamp.optional(),
});

// ───────────────────────────── cases and tasks ─────────────────────────────

const Decision = z.object({
  outcome: z.enum(OUTCOMES),
  opinion: z.string(),
  corrections: z.array(CorrectionItemSchema),
  decidedAt: Timestamp,
});

export const TaskViewSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: z
    .enum(TASK_KINDS)
    .describe('acceptance: the lead department’s intake review (受理); review: a department’s own services.'),
  departmentId: z.string(),
  departmentName: z.string(),
  services: z.array(z.string()),
  round: count.describe('0, then one more per correction round.'),
  status: z.enum(TASK_STATUSES),
  createdAt: Timestamp,
  dueAt: Timestamp,
  overdue: z.boolean(),
  escalations: count,
  decision: Decision.optional(),
});

const MaskedApplicant = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('person'), name: z.string(), idNumber: z.string(), phone: z.string() }),
    z.object({ kind: z.literal('organisation'), name: z.string(), uscc: z.string(), phone: z.string() }),
  ])
  .describe('Personal data masked (张**, 3204**********1234, 138****5678).');

const CaseStatus = z.enum(CASE_STATUSES);

export const CaseViewSchema = z.object({
  id: z.string(),
  bundleId: z.string(),
  bundleName: z.string(),
  catalogVersion: z.string(),
  status: CaseStatus,
  services: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      departmentId: z.string().optional(),
      result: z.enum(['approved', 'rejected', 'pending']),
      opinion: z.string().optional(),
    }),
  ),
  applicant: MaskedApplicant,
  delivery: DeliveryMethodSchema,
  materials: z.array(CaseMaterialSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  dueAt: Timestamp.describe('The bundle’s deadline, extended while the case waits for the applicant.'),
  correctionRound: count,
  correction: z
    .object({
      round: z.number().int(),
      requestedAt: Timestamp,
      dueAt: Timestamp,
      stage: z.enum(['acceptance', 'review']),
      departments: z.array(z.string()),
      items: z.array(CorrectionItemSchema.extend({ departmentId: z.string() })),
    })
    .optional()
    .describe('The one consolidated correction request (补正), while the case awaits it.'),
  refusal: z.object({ opinion: z.string() }).optional(),
  tasks: z.array(TaskViewSchema),
  timeline: z.array(
    z.object({ at: Timestamp, event: z.string(), detail: z.record(z.string(), z.unknown()).optional() }),
  ),
  licenses: z.array(
    z.object({ id: z.string(), serviceId: z.string(), name: z.string(), issuedAt: Timestamp }),
  ),
});

export const CaseSubmittedSchema = z.object({
  id: z.string(),
  status: z.literal('submitted'),
  bundleId: z.string(),
  services: z.array(z.string()),
  createdAt: Timestamp,
  dueAt: Timestamp,
});

export const SupplementAcceptedSchema = z.object({ id: z.string(), status: CaseStatus, dueAt: Timestamp });

export const WithdrawnSchema = z.object({ id: z.string(), status: CaseStatus, updatedAt: Timestamp });

export const WebhookSchema = z.object({
  id: z.string(),
  url: z.url(),
  description: z.string().optional(),
  createdAt: Timestamp,
});

export const WebhookCreatedSchema = WebhookSchema.extend({
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
    .describe(
      'The Standard Webhooks signing secret (`whsec_` + base64 of 32 random bytes): pass it as is to a `standardwebhooks` library to verify `webhook-signature`. Shown only in this answer: store it.',
    ),
});

export const WebhookListSchema = z.object({ items: z.array(WebhookSchema) });

export const TaskListSchema = z.object({
  items: z.array(TaskViewSchema),
  nextCursor: z.string().optional().describe('Pass as ?cursor= for the next page; absent on the last page.'),
});

export const TaskDetailSchema = TaskViewSchema.omit({ services: true }).extend({
  case: z.object({
    id: z.string(),
    status: CaseStatus,
    applicant: ApplicantSchema,
    delivery: DeliveryMethodSchema,
    dueAt: Timestamp,
  }),
  bundle: z.object({ id: z.string(), name: z.string() }),
  services: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      legalBasis: z.array(z.string()),
      conditions: z.array(z.string()),
      commitment: z.boolean().describe('The applicant signed a commitment (告知承诺) for this service.'),
    }),
  ),
  form: z
    .record(z.string(), z.object({ title: z.string(), value: z.unknown() }))
    .describe('Only the fields this department’s services need (最小必要).'),
  materials: z.array(
    CaseMaterialSchema.extend({
      fileName: z.string().optional(),
      contentType: z.string().optional(),
      size: z.number().int().positive().optional(),
      downloadUrl: Link.optional(),
      expiresAt: Timestamp.optional(),
    }),
  ),
});

export const TaskDecidedSchema = TaskViewSchema.extend({
  replayed: z.boolean().describe('true when this repeats an identical earlier decision.'),
});

export const SupervisionSchema = z.object({
  generatedAt: Timestamp,
  totals: z.object({ overdue: count, atRisk: count }),
  departments: z.array(
    z.object({
      departmentId: z.string(),
      departmentName: z.string(),
      overdue: z.array(TaskViewSchema),
      atRisk: z.array(TaskViewSchema),
    }),
  ),
});

// ───────────────────────────── licences ─────────────────────────────

export const LicenseListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      serviceId: z.string(),
      name: z.string(),
      issuedAt: Timestamp,
      downloadUrl: Link.describe('The signed licence document.'),
      dataUrl: Link.describe('The licence data (JSON) the signature covers.'),
    }),
  ),
});

export const VerificationSchema = z.object({
  valid: z.boolean().describe('Both stored files intact and the signature over them valid.'),
  licenseId: z.string(),
  serviceId: z.string(),
  name: z.string(),
  issuedAt: Timestamp,
  issuer: DepartmentRef,
  holder: z
    .object({
      kind: z.enum(['person', 'organisation']),
      name: z.string(),
      identifierType: z.enum(['idNumber', 'uscc']),
      identifier: z.string(),
    })
    .optional()
    .describe('Shown, masked, only when the licence data is intact.'),
  checks: z.object({ documentIntact: z.boolean(), dataIntact: z.boolean(), signatureValid: z.boolean() }),
  algorithm: z.string(),
  keyId: z.string(),
});

// ───────────────────────────── webhooks ─────────────────────────────

/** What a portal's webhook receives: thin on purpose, ids and statuses only, never personal data. */
export const CaseStatusChangedEventSchema = z.object({
  id: z.string().describe('The event id; the same on every retry of this event.'),
  type: z.literal(CASE_STATUS_CHANGED),
  caseId: z.string(),
  status: CaseStatus,
  previousStatus: CaseStatus.optional(),
  occurredAt: Timestamp,
  links: z.object({ case: z.url().describe('GET it with your API key for the details.') }),
});

/** Webhooks this API sends (OpenAPI 3.1 `webhooks`), by name. */
export const webhookContracts = {
  [CASE_STATUS_CHANGED]: {
    summary: 'A case of yours changed status',
    description:
      'POSTed to every webhook of the portal that submitted the case; retried with backoff until answered 2xx. Verify the signature before trusting the body.',
    tags: ['Webhooks'] as Tag[],
    headers: {
      [WEBHOOK_ID_HEADER]: {
        description:
          'Standard Webhooks message id: the event id, the same on every try of one event (deduplicate on it).',
        schema: z.string().min(1),
      },
      [WEBHOOK_TIMESTAMP_HEADER]: {
        description:
          'Standard Webhooks timestamp: unix seconds of this try; refuse one more than 5 minutes off.',
        schema: z.string().regex(/^\d+$/),
      },
      [WEBHOOK_SIGNATURE_HEADER]: {
        description:
          'Standard Webhooks signature: `v1,<base64 HMAC-SHA256(base64-decoded secret after "whsec_", "<webhook-id>.<webhook-timestamp>.<raw body>")>`, space-separated when several. Verify with any `standardwebhooks` library.',
        schema: z.string().regex(/^v1,[A-Za-z0-9+/]{43}=( v1,[A-Za-z0-9+/]{43}=)*$/),
      },
    },
    body: CaseStatusChangedEventSchema,
  },
};

// ───────────────────────────── meta ─────────────────────────────

export const HealthSchema = z.object({
  status: z.literal('ok'),
  city: z.string(),
  catalogVersion: z.string(),
});

export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .describe('This document.');

// ───────────────────────────── the routes ─────────────────────────────

export const TAGS = {
  Catalog: '一张清单, 一次告知, 一表申请: the bundles of this city, their guides and merged forms. Public.',
  Materials: '一套材料: declare a file, upload its bytes to the presigned URL, check it was verified.',
  Cases: '一次提交, 进度查询, 补正: one application for a bundle, its progress and corrections.',
  Licences: '一窗出件: the signed e-licences of a case, and their public verification.',
  Departments: '一次分办, 并联审批: a department’s inbox, task detail and decision.',
  Supervision: '电子监察: overdue and at-risk work.',
  Webhooks:
    'A portal’s callback URLs: a thin, signed `case.status_changed` event (ids and statuses, no personal data) for every status change of its cases, at least once.',
  Meta: 'Health and this document.',
} as const;
export type Tag = keyof typeof TAGS;

export interface ResponseContract {
  readonly description: string;
  readonly schema: z.ZodType;
  /** Response headers worth knowing (names as sent). */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: z.ZodType }>>;
}

/** 4xx statuses a route answers by its own logic; the generic ones are added from the route's shape. */
export type ProblemStatus = 400 | 403 | 404 | 409 | 422;

export interface RouteContract {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly Tag[];
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Request headers (lower-case names). */
  readonly headers?: z.ZodObject;
  readonly body?: { readonly schema: z.ZodType; readonly description: string };
  /** Success responses by status. */
  readonly responses: Readonly<Record<number, ResponseContract>>;
  /** Problems this route answers by its own logic, with when. */
  readonly problems?: Readonly<Partial<Record<ProblemStatus, string>>>;
}

const Location = {
  Location: { description: 'The URL of the created resource.', schema: z.url() },
};

/**
 * Every route, by the name it has in functions/routes.ts. A route without an entry here cannot be
 * published: the OpenAPI builder refuses it, and test/api/openapi.test.ts fails.
 */
export const routeContracts: Readonly<Record<string, RouteContract>> = {
  'get-health': {
    summary: 'Liveness, and which city and catalog version this deployment serves',
    description:
      'Checks the table and the files bucket with one cheap call each. When one does not answer: 503 problem+json with Retry-After, each dependency down named in `errors` (`/dependencies/database`, `/dependencies/storage`).',
    tags: ['Meta'],
    responses: { 200: { description: 'Up.', schema: HealthSchema } },
  },
  'get-openapi': {
    summary: 'This OpenAPI 3.1 document, generated from the zod schemas the API runs on',
    tags: ['Meta'],
    responses: { 200: { description: 'The document.', schema: OpenApiDocumentSchema } },
  },
  'list-bundles': {
    summary: 'The published list of bundles (一张清单)',
    tags: ['Catalog'],
    responses: { 200: { description: 'Every bundle of this city.', schema: BundleListSchema } },
  },
  'get-bundle': {
    summary: 'One bundle with its services in full',
    tags: ['Catalog'],
    params: BundleParams,
    responses: { 200: { description: 'The bundle.', schema: BundleDetailSchema } },
    problems: { 404: 'There is no such bundle in this city’s catalog.' },
  },
  'get-guide': {
    summary: 'The one complete notice (一次告知) for the chosen services',
    description:
      'Legal basis, conditions, the deduplicated materials — and what is not asked because the government already holds it — fees, results, time limits and the ordered steps.',
    tags: ['Catalog'],
    params: BundleParams,
    query: ChosenServicesQuery,
    responses: { 200: { description: 'The notice.', schema: GuideSchema } },
    problems: {
      404: 'There is no such bundle.',
      422: 'Unknown services, or a combination the bundle’s rules do not allow: every problem listed.',
    },
  },
  'get-form': {
    summary: 'The ONE merged form (一表申请) for the chosen services, as JSON Schema',
    tags: ['Catalog'],
    params: BundleParams,
    query: ChosenServicesQuery,
    responses: { 200: { description: 'The merged form.', schema: FormSchema } },
    problems: {
      404: 'There is no such bundle.',
      422: 'Unknown services, or a combination the bundle’s rules do not allow: every problem listed.',
    },
  },
  'get-metrics': {
    summary: 'How much the bundle saves for the chosen services (fields, materials, visits, days)',
    tags: ['Catalog'],
    params: BundleParams,
    query: ChosenServicesQuery,
    responses: { 200: { description: 'The reduction metrics.', schema: MetricsSchema } },
    problems: {
      404: 'There is no such bundle.',
      422: 'Unknown services, or a combination the bundle’s rules do not allow: every problem listed.',
    },
  },
  prefill: {
    summary: 'What the government already holds about the applicant: form values and materials on file',
    description:
      'POST so that no identifier is ever in a URL. An unknown applicant is not an error: `found: false`, nothing filled.',
    tags: ['Cases'],
    body: {
      schema: PrefillRequestSchema,
      description: 'The bundle, chosen services and the applicant’s identifier.',
    },
    responses: { 200: { description: 'The prefill.', schema: PrefillSchema } },
    problems: { 422: 'Unknown bundle or services, or an invalid identifier: every problem listed.' },
  },
  'create-material': {
    summary: 'Declare one file of 一套材料 and get a presigned URL for its bytes',
    description:
      'The material is usable in a case once the bytes sent to `upload.url` (with exactly `upload.headers`) match the declared size, SHA-256 and content type.',
    tags: ['Materials'],
    body: { schema: DeclarationSchema, description: 'The file about to be uploaded.' },
    responses: {
      201: {
        description: 'Declared; upload the bytes next.',
        schema: MaterialCreatedSchema,
        headers: Location,
      },
    },
    problems: {
      422: 'The declaration breaks the shape or the catalog (unknown bundle or type, content type not accepted, too large): every problem listed.',
    },
  },
  'get-material': {
    summary: 'One of this portal’s materials; its bytes are judged if they arrived since the last look',
    tags: ['Materials'],
    params: MaterialParams,
    responses: { 200: { description: 'The material.', schema: MaterialSchema } },
    problems: { 404: 'No such material of this portal (another portal’s material is 404 too).' },
  },
  'submit-case': {
    summary: 'Apply once (一次提交) for all or some services of a bundle',
    description:
      'Every problem of the application comes back at once (一次反馈): missing or malformed fields, missing, unknown or unverified materials, services not in the bundle or that must go together.',
    tags: ['Cases'],
    headers: SubmitCaseHeaders,
    body: { schema: ApplicationSchema, description: 'The application.' },
    responses: {
      201: {
        description: 'Submitted; the same answer for every retry with the same Idempotency-Key and body.',
        schema: CaseSubmittedSchema,
        headers: {
          ...Location,
          'Idempotent-Replayed': {
            description: '"true" when this answers a retry of an earlier submission.',
            schema: z.enum(['true', 'false']),
          },
        },
      },
    },
    problems: {
      400: 'The Idempotency-Key header is missing or malformed, or the body is not JSON.',
      422: 'The application is invalid (every problem listed — among them `material_in_use` for a material already part of another case, `material_changed` for one whose stored bytes changed since they were verified), or the Idempotency-Key was used before with another body (code `idempotency_key_reused`). Nothing is written: the same Idempotency-Key may be sent again with a corrected body.',
    },
  },
  'get-case': {
    summary: 'Progress (进度查询): status, services, tasks, the correction request and the timeline',
    tags: ['Cases'],
    params: CaseParams,
    responses: { 200: { description: 'The case.', schema: CaseViewSchema } },
    problems: { 404: 'No such case of this portal (another portal’s case is 404 too).' },
  },
  'submit-supplement': {
    summary: 'Answer the one consolidated correction request (补正), once',
    tags: ['Cases'],
    params: CaseParams,
    body: { schema: SupplementSchema, description: 'Corrected form values and/or replacement materials.' },
    responses: {
      202: { description: 'Accepted; the flow resumes.', schema: SupplementAcceptedSchema },
    },
    problems: {
      404: 'No such case of this portal.',
      409: 'The case is not awaiting a correction (or was already supplemented).',
      422: 'The supplement is invalid: every problem listed (`material_in_use`, `material_changed` among them). Nothing changes: the correction stays open for a corrected supplement.',
    },
  },
  'withdraw-case': {
    summary: 'Withdraw the case (撤回) while it is not final',
    description:
      'Open tasks leave the departments’ inboxes and the flow stops. Withdrawing again answers the same.',
    tags: ['Cases'],
    params: CaseParams,
    body: { schema: WithdrawalSchema, description: 'Optionally, why.' },
    responses: { 200: { description: 'Withdrawn.', schema: WithdrawnSchema } },
    problems: {
      404: 'No such case of this portal.',
      409: 'The case is already final (issued or rejected), or is changing at this very moment (retry).',
    },
  },
  'list-licenses': {
    summary: 'The case’s e-licences (一窗出件), with short-lived download links',
    tags: ['Licences'],
    params: CaseParams,
    responses: { 200: { description: 'The licences issued so far.', schema: LicenseListSchema } },
    problems: { 404: 'No such case of this portal.' },
  },
  'verify-license': {
    summary: 'Verify an e-licence: stored files intact and signature valid',
    tags: ['Licences'],
    params: LicenseParams,
    responses: { 200: { description: 'The verdict, valid or not.', schema: VerificationSchema } },
    problems: { 404: 'There is no such licence.' },
  },
  'list-tasks': {
    summary: 'A department’s inbox, by task status, paginated',
    tags: ['Departments'],
    params: DepartmentParams,
    query: TaskListQuery,
    responses: { 200: { description: 'One page of tasks.', schema: TaskListSchema } },
    problems: {
      400: 'The cursor is not one this listing gave out.',
      403: 'A department sees only its own inbox.',
    },
  },
  'get-task': {
    summary: 'A task with only the case data its services need (最小必要)',
    tags: ['Departments'],
    params: TaskParams,
    responses: { 200: { description: 'The task.', schema: TaskDetailSchema } },
    problems: { 404: 'No such task of this department (another department’s task is 404 too).' },
  },
  'decide-task': {
    summary: 'Decide a task: approve, reject, or ask for corrections',
    description:
      'A decision is final: a different second decision is 409; an identical retry answers as the first (`replayed: true`).',
    tags: ['Departments'],
    params: TaskParams,
    body: { schema: DecisionRequestSchema, description: 'The decision.' },
    responses: { 200: { description: 'Decided.', schema: TaskDecidedSchema } },
    problems: {
      404: 'No such task of this department.',
      409: 'The task is already decided otherwise, or closed: its case was withdrawn or has ended (a decision racing with a withdrawal never lands after it).',
      422: 'The decision is incomplete (a rejection needs an opinion; a correction needs items or an opinion).',
    },
  },
  'get-supervision': {
    summary: 'Overdue and at-risk tasks (电子监察): all departments for a supervisor, else the caller’s own',
    tags: ['Supervision'],
    responses: { 200: { description: 'The tasks needing attention.', schema: SupervisionSchema } },
  },
  'create-webhook': {
    summary: 'Register a callback URL for the status changes of this portal’s cases',
    description:
      'Each change is POSTed as `{ id, type: "case.status_changed", caseId, status, previousStatus?, occurredAt, links: { case } }` signed in the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature`; verify with any `standardwebhooks` library and the secret as returned). Delivery is at least once, retried with exponential backoff: dedupe by `webhook-id`, tolerate any order, refuse a timestamp more than 5 minutes off, answer 2xx fast.',
    tags: ['Webhooks'],
    body: { schema: WebhookRequestSchema, description: 'The callback URL and an optional label.' },
    responses: {
      201: {
        description: 'Registered; the signing secret is in this answer only.',
        schema: WebhookCreatedSchema,
        headers: Location,
      },
    },
    problems: {
      422: 'Not https, credentials in the URL, a host that is or resolves to a private, loopback, link-local, CGNAT, multicast or metadata address, an unresolvable host, a description too long, or too many webhooks (`too_many_webhooks`: at most 10 per portal, however many registrations run at once): every problem listed.',
    },
  },
  'list-webhooks': {
    summary: 'This portal’s webhooks (without their secrets)',
    tags: ['Webhooks'],
    responses: { 200: { description: 'The webhooks.', schema: WebhookListSchema } },
  },
  'delete-webhook': {
    summary: 'Delete a webhook: no further deliveries, queued ones are dropped',
    tags: ['Webhooks'],
    params: WebhookParams,
    responses: { 200: { description: 'Deleted; the webhook as it was.', schema: WebhookSchema } },
    problems: { 404: 'No such webhook of this portal (another portal’s webhook is 404 too).' },
  },
};

/** Request body schemas, by component name in the document (parsed as input: defaults are optional). */
export const requestSchemas: Readonly<Record<string, z.ZodType>> = {
  Application: ApplicationSchema,
  Supplement: SupplementSchema,
  Withdrawal: WithdrawalSchema,
  MaterialDeclaration: DeclarationSchema,
  PrefillRequest: PrefillRequestSchema,
  DecisionRequest: DecisionRequestSchema,
  WebhookRequest: WebhookRequestSchema,
};

/** Response schemas, by component name in the document. */
export const responseSchemas: Readonly<Record<string, z.ZodType>> = {
  Problem: ProblemSchema,
  Timestamp,
  Health: HealthSchema,
  OpenApiDocument: OpenApiDocumentSchema,
  BundleList: BundleListSchema,
  BundleDetail: BundleDetailSchema,
  Guide: GuideSchema,
  Form: FormSchema,
  Metrics: MetricsSchema,
  Prefill: PrefillSchema,
  ReductionMetrics: ReductionMetricsSchema,
  MaterialCreated: MaterialCreatedSchema,
  Material: MaterialSchema,
  CaseSubmitted: CaseSubmittedSchema,
  Case: CaseViewSchema,
  SupplementAccepted: SupplementAcceptedSchema,
  Withdrawn: WithdrawnSchema,
  TaskView: TaskViewSchema,
  TaskList: TaskListSchema,
  TaskDetail: TaskDetailSchema,
  TaskDecided: TaskDecidedSchema,
  Supervision: SupervisionSchema,
  LicenseList: LicenseListSchema,
  Verification: VerificationSchema,
  CaseStatusChangedEvent: CaseStatusChangedEventSchema,
  Webhook: WebhookSchema,
  WebhookCreated: WebhookCreatedSchema,
  WebhookList: WebhookListSchema,
};
