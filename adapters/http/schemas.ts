/**
 * The schemas of the HTTP contract: what the routes answer (and the few request shapes not owned by
 * a use case), as zod. Each route's spec (the `route` export of functions/<name>.handler.ts) names
 * the ones it takes and answers; adapters/http/openapi.ts publishes them in the OpenAPI 3.1
 * document (GET /v1/openapi.json), so nothing in that document is written by hand.
 *
 * Requests reuse the very schemas the use cases parse with (core/case, core/catalog, core/flow…),
 * so the document cannot drift from what is accepted. Responses are described here; handlers are
 * typed so that each body they return is the input of the schema of its status, and tests call
 * every route and validate the real answers against the document. Response objects are closed (no
 * undocumented field gets out); a later version may add fields, so clients should ignore fields
 * they do not know.
 */
import * as z from 'zod/mini';
import { ApplicantSchema } from '#core/case/applicant.ts';
import { ApplicationSchema } from '#core/case/application.ts';
import { CASE_STATUSES } from '#core/case/lifecycle.ts';
import {
  CaseMaterialSchema,
  CorrectionItemSchema,
  OUTCOMES,
  TASK_KINDS,
  TASK_STATUSES,
} from '#core/case/model.ts';
import { SupplementSchema } from '#core/case/submit-supplement.ts';
import { WithdrawalSchema } from '#core/case/withdraw-case.ts';
import { PrefillRequestSchema } from '#core/catalog/prefill.ts';
import {
  BundleSchema,
  ConditionSchema,
  DeliveryMethodSchema,
  MaterialAskSchema,
  MaterialTypeSchema,
  PrefillSourceSchema,
  ServiceSchema,
} from '#core/catalog/schema.ts';
import { DecisionRequestSchema } from '#core/flow/decide-task.ts';
import { DeclarationSchema, DeclarationSetSchema } from '#core/materials/declaration.ts';
import { ERROR_CODE_LIST } from '#core/shared/error-codes.ts';
import {
  CASE_STATUS_CHANGED,
  TASK_DUE_SOON,
  TASK_OPENED,
  TASK_OVERDUE,
  type TaskEventType,
} from '#core/webhooks/events.ts';
import { WebhookRequestSchema } from '#core/webhooks/register.ts';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '#core/webhooks/signing.ts';
import { EvaluationAttentionSchema, EvaluationTotalsSchema } from './evaluation-schemas.ts';
import type { Tag } from './tags.ts';

// ───────────────────────────── shared pieces ─────────────────────────────

/** What a catalog route for chosen services (guide, form, metrics) can refuse, documented once. */
export const SERVICE_SELECTION_PROBLEMS = {
  404: 'There is no such bundle.',
  422: 'Unknown services, or a combination the bundle’s rules do not allow: every problem listed.',
} as const;

/** `?services=a,b` of the catalog routes: parsed at run time, so it lives with the parameters. */
export { ChosenServicesQuery } from './catalog-query.ts';

/** What the evaluation routes answer (好差评, 整改, 12345), in a module of their own. */
export {
  InquiryCreatedSchema,
  InquiryListSchema,
  InquirySchema,
  RatingSchema,
  RectificationListSchema,
  RectificationSchema,
  ScaleSchema,
} from './evaluation-schemas.ts';

const Timestamp = z.iso
  .datetime()
  .check(
    z.describe('An instant, ISO 8601 in UTC (e.g. 2025-03-01T08:00:00.000Z).'),
    z.meta({ examples: ['2025-03-01T08:00:00.000Z'] }),
  );
const count = z.number().check(z.int(), z.nonnegative());
const Link = z.url().check(z.describe('A short-lived presigned URL.'));

/** RFC 9457 problem details; `errors` lists every problem of the request at once (一次反馈). */
export const ProblemSchema = z
  .object({
    type: z.string().check(z.describe('A URI naming the kind of problem.')),
    title: z.string(),
    status: z.number().check(z.int(), z.gte(400), z.lte(599), z.describe('The HTTP status, repeated.')),
    detail: z.string(),
    instance: z.optional(z.string()).check(z.describe('The request id: quote it when reporting a problem.')),
    code: z
      .optional(z.enum(ERROR_CODE_LIST))
      .check(z.describe('A stable machine-readable code of the catalogue (core/shared/error-codes.ts).')),
    errors: z
      .optional(
        z
          .array(
            z.object({
              path: z
                .string()
                .check(
                  z.describe('JSON Pointer into the request, e.g. /form/enterpriseName or /query/services.'),
                ),
              code: z
                .enum(ERROR_CODE_LIST)
                .check(z.describe('What is wrong there: a code of the catalogue.')),
              message: z.string(),
            }),
          )
          .check(z.maxLength(100)),
      )
      .check(
        z.describe(
          'One entry per problem with the request, at most 100: the rest are counted in `omittedErrors`.',
        ),
      ),
    omittedErrors: z
      .optional(z.number().check(z.int(), z.positive()))
      .check(
        z.describe(
          'How many further problems were found but not listed (present only when `errors` holds its maximum of 100). Elements of a list beyond 1000 are not checked one by one: the list’s own size problem covers them.',
        ),
      ),
  })
  .check(
    z.meta({
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
    }),
  );

/** The `Location` header of an answer that created something. */
export const LocationHeader = {
  Location: { description: 'The URL of the created resource.', schema: z.url() },
};

const DepartmentRef = z.object({ id: z.string(), name: z.string() });

// ───────────────────────────── catalog ─────────────────────────────

const s = ServiceSchema.shape;

const ServiceSummary = z.object({
  id: z.string(),
  name: z.string(),
  departmentId: z.string(),
  timeLimitDays: count.check(z.describe('Committed time limit in working days.')),
});

const BundleSummary = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.optional(z.string()),
  audience: BundleSchema.shape.audience,
  category: BundleSchema.shape.category,
  detail: BundleSchema.shape.detail,
  leadDepartment: DepartmentRef,
  departments: z.array(DepartmentRef).check(z.describe('Cooperating departments (配合部门).')),
  services: z.array(ServiceSummary),
  timeLimitDays: count.check(
    z.describe('Working days: reviews run in parallel, so the slowest service decides.'),
  ),
});

export const BundleListSchema = z.object({
  city: z.object({ id: z.string(), name: z.string(), region: z.optional(z.string()) }),
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
  prefillableShare: z.number().check(z.gte(0), z.lte(1)),
  visits: count.check(
    z.describe(
      'Visits the applicant makes: a counter visit unless everything can be done online, plus on-site inspections (one when joint, 联合勘验).',
    ),
  ),
  inspections: z.object({ services: count, visits: count }),
  timeLimitDays: z.object({ parallel: count, sequentialSum: count }),
  staged: z
    .object({ days: count, path: z.array(z.string()) })
    .check(
      z.describe(
        'Staged dispatch: the longest path through the prerequisites, in working days, and its services.',
      ),
    ),
});

const ServiceDetail = z.extend(ServiceSummary, {
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

export const BundleDetailSchema = z.extend(BundleSummary, {
  catalogVersion: z.string(),
  services: z.array(ServiceDetail),
  rules: BundleSchema.shape.rules,
  metrics: ReductionMetricsSchema,
  source: z.optional(z.string()),
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
  order: z.number().check(z.int(), z.positive()),
  name: z.string(),
  description: z.string(),
  department: z.optional(DepartmentRef),
  departments: z.optional(z.array(DepartmentRef)),
  delivery: z.optional(z.array(DeliveryMethodSchema)),
  orderRules: z.optional(z.array(BundleSchema.shape.rules.def.innerType.def.element)),
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
    .check(z.describe('What the applicant provides, each material type once (一套材料).')),
  notRequired: z
    .array(z.extend(GuideMaterial, { reason: z.string() }))
    .check(z.describe('What is NOT asked for because the government already holds it.')),
  deferrable: z.array(z.string()).check(z.describe('Material types that may follow later (容缺受理).')),
  commitmentServices: z.array(z.string()).check(z.describe('Services open to 告知承诺制.')),
  fees: z.object({
    totalYuan: z.number().check(z.nonnegative()),
    items: z.array(
      z.object({
        serviceId: z.string(),
        amountYuan: z.number().check(z.nonnegative()),
        note: z.optional(z.string()),
      }),
    ),
  }),
  results: z.array(z.object({ serviceId: z.string(), kind: s.result.shape.kind, name: z.string() })),
  delivery: z.array(DeliveryMethodSchema),
  timeLimitDays: count.check(
    z.describe(
      'Working days along the longest path through the prerequisites (staged dispatch): see criticalPath.',
    ),
  ),
  criticalPath: z
    .array(z.object({ serviceId: z.string(), name: z.string(), department: DepartmentRef, days: count }))
    .check(z.describe('The chain of services that decides the time limit, first to last.')),
  legalTimeLimitDays: count,
  steps: z.array(GuideStep),
  metrics: ReductionMetricsSchema,
});

/** A value of the merged form: every field is a string, a number or a boolean. */
const FormValue = z.union([z.string(), z.number(), z.boolean()]);

/** One field of the merged form, as JSON Schema with the platform's `x-` annotations. */
const FormProperty = z
  .object({
    title: z.string().check(z.describe('The label to show.')),
    description: z.optional(z.string()),
    type: z.enum(['string', 'integer', 'number', 'boolean']),
    format: z.optional(z.literal('date')),
    pattern: z.optional(z.string()).check(z.describe('An ECMA-262 regular expression the value matches.')),
    enum: z.optional(z.array(z.string())),
    'x-enum-titles': z
      .optional(z.record(z.string(), z.string()))
      .check(z.describe('The label of each `enum` value.')),
    'x-check': z
      .optional(z.string())
      .check(z.describe('A check beyond the pattern (e.g. GB 11643 check digit).')),
    minLength: z.optional(count),
    maxLength: z.optional(count),
    minimum: z.optional(z.number()),
    maximum: z.optional(z.number()),
    examples: z.array(FormValue).check(z.minLength(1), z.describe('Example values; the first one is valid.')),
    'x-services': z.array(z.string()).check(z.describe('The chosen services that ask for this field.')),
    'x-prefill': z
      .optional(PrefillSourceSchema)
      .check(z.describe('Where the government already holds it (POST /v1/prefill fills it, with consent).')),
    'x-personal': z
      .optional(z.literal(true))
      .check(z.describe('Personal data: masked in answers, never logged.')),
    'x-when': z
      .optional(z.array(ConditionSchema))
      .check(z.describe('Shown and required only when one of these answers is given.')),
  })
  .check(
    z.meta({
      examples: [
        {
          title: '企业名称',
          type: 'string',
          maxLength: 100,
          examples: ['常州青果巷餐饮管理有限公司'],
          'x-services': ['enterprise-establishment-registration'],
        },
      ],
    }),
  );

/** The merged form (一表申请): one JSON Schema (draft 2020-12) object for the chosen services. */
export const MergedFormSchema = z
  .object({
    $schema: z.literal('https://json-schema.org/draft/2020-12/schema'),
    title: z.string().check(z.describe('The bundle’s name.')),
    type: z.literal('object'),
    properties: z.record(z.string(), FormProperty).check(z.describe('Each shared field once, by field id.')),
    required: z.array(z.string()).check(z.describe('The fields required whatever the other answers.')),
    allOf: z
      .optional(
        z.array(
          z.object({
            if: z.object({
              properties: z.record(
                z.string(),
                z.union([z.object({ const: FormValue }), z.object({ enum: z.array(FormValue) })]),
              ),
              required: z.array(z.string()),
            }),
            // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
            then: z.object({ required: z.array(z.string()) }),
          }),
        ),
      )
      .check(
        z.describe(
          'Conditional requirements: when an answer is given (`if`), more fields are required (`then`).',
        ),
      ),
    additionalProperties: z.literal(false),
  })
  .check(
    z.describe(
      'The merged form (一表申请) as a JSON Schema (draft 2020-12): every property has a title and examples whose first value is valid.',
    ),
  );

export const FormSchema = z.object({
  bundleId: z.string(),
  services: z.array(z.string()),
  catalogVersion: z.string(),
  // The core builds the schema as plain JSON (core/catalog/form.ts); its shape is published here and
  // checked for every bundle of every city by test/api/form-schema.test.ts.
  schema: z.pipe(z.record(z.string(), z.unknown()), MergedFormSchema),
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
  found: z.boolean().check(z.describe('Whether any shared-data source knows the applicant.')),
  form: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .check(z.describe('Merged-form values the government already holds (共享数据自动调用).')),
  materials: z
    .array(
      z.object({
        type: z.string(),
        name: z.string(),
        source: z.enum(['eLicense', 'earlierCase']),
        licenseType: z.optional(z.string()),
        reference: z
          .string()
          .check(z.describe('The e-license id or earlier material reference, never an identifier.')),
        validUntil: z.optional(z.string()),
      }),
    )
    .check(z.describe('Materials already on file: not to be uploaded again.')),
  missing: z.array(z.string()).check(z.describe('Merged fields still to fill, in the form’s order.')),
  preview: z
    .optional(
      z.array(
        z.object({
          field: z.string(),
          source: z.enum(['population', 'legalPerson', 'license']),
          withheld: z
            .optional(z.literal(true))
            .check(
              z.describe(
                'Held, but another person’s identifier: not given (the applicant types it), shown masked.',
              ),
            ),
          masked: z.optional(z.string()),
        }),
      ),
    )
    .check(
      z.describe('What will be reused, field by field, and from where (the preview the applicant confirms).'),
    ),
  consent: z
    .optional(
      z.object({
        id: z.string(),
        purpose: z.object({ bundleId: z.string(), services: z.array(z.string()) }),
        fields: z.array(z.string()),
        expiresAt: z.string(),
        recordedAt: z.string(),
      }),
    )
    .check(z.describe('The consent recorded for this lookup.')),
});

// ───────────────────────────── the applicant's own ─────────────────────────────

export const AccessLogSchema = z.object({
  items: z
    .array(
      z.object({
        at: z.string(),
        actor: z.object({
          kind: z.enum(['portal', 'department', 'supervisor', 'helper']),
          id: z.string().check(z.describe('The portal or department that read the data.')),
        }),
        purpose: z
          .string()
          .check(
            z.describe(
              'Why: `prefill:<bundleId>`, `task:<taskId>` (task detail), `material:<taskId>` (downloads)…',
            ),
          ),
        caseId: z.optional(z.string()),
      }),
    )
    .check(z.describe('Every read of the applicant’s personal data, newest first.')),
  nextCursor: z.optional(z.string()),
});

export const ApplicantCaseListSchema = z.object({
  items: z
    .array(z.object({ id: z.string(), bundleId: z.string(), status: z.string(), createdAt: z.string() }))
    .check(z.describe('This portal’s cases of the signed-in applicant, newest first.')),
  nextCursor: z.optional(z.string()),
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
      headers: z
        .record(z.string(), z.string())
        .check(z.describe('Send exactly these headers with the bytes.')),
      expiresAt: Timestamp,
    })
    .check(z.describe('Where and how to send the bytes.')),
  expiresAt: Timestamp.check(z.describe('When the declaration is forgotten if no case uses it.')),
});

export const MaterialSetCreatedSchema = z.object({
  items: z
    .array(MaterialCreatedSchema)
    .check(
      z.describe(
        'Each file declared, in the order of the request’s `items`: what POST /v1/materials answers for it.',
      ),
    ),
});

export const MaterialSchema = z.object({
  id: z.string(),
  bundleId: z.string(),
  type: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().check(z.int(), z.positive()),
  status: MaterialStatus.check(z.describe('verified: the stored bytes are exactly the declared ones.')),
  reason: z.optional(z.enum(['mismatch', 'wrong_content'])),
  createdAt: Timestamp,
  verifiedAt: z.optional(Timestamp),
});

// ───────────────────────────── cases and tasks ─────────────────────────────

/** A material of a case as answered: `deferredUntil` is an instant; the stored file's facts are never shown. */
const CaseMaterial = z.extend(z.omit(CaseMaterialSchema, { file: true }), {
  materialId: CaseMaterialSchema.shape.materialId.check(
    z.describe('The uploaded material (POST /v1/materials).'),
  ),
  sharedData: CaseMaterialSchema.shape.sharedData.check(
    z.describe('Held by the government (e-license library, earlier case): fetched, not uploaded.'),
  ),
  reference: CaseMaterialSchema.shape.reference.check(
    z.describe('The e-license or earlier-case material cited (from POST /v1/prefill).'),
  ),
  deferredUntil: z
    .optional(Timestamp)
    .check(z.describe('容缺受理: promised for later, due by this instant.')),
});

/** A value of a case's timeline entry: an id, a status, a count, a flag, or a list of ids. */
const TimelineValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

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
    .check(
      z.describe(
        'acceptance: the lead department’s intake review (受理); review: a department’s review of its own services (并联审批); inspection: the one on-site inspection several departments’ services share (联合勘验), organised by one of them; supplement: the applicant’s answer to a correction request (补正), held for the applicant (departmentId `applicant`) while the case awaits it — never in a department’s inbox.',
      ),
    ),
  departmentId: z.string(),
  departmentName: z.string(),
  services: z.array(z.string()),
  round: count.check(z.describe('0, then one more per correction round.')),
  stage: z
    .optional(count)
    .check(
      z.describe('Staged dispatch: 0 for services without prerequisites, one more per prerequisite level.'),
    ),
  status: z.enum(TASK_STATUSES),
  createdAt: Timestamp,
  dueAt: Timestamp,
  overdue: z.boolean(),
  escalations: count,
  decision: z.optional(Decision),
});

const MaskedApplicant = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('person'), name: z.string(), idNumber: z.string(), phone: z.string() }),
    z.object({ kind: z.literal('organisation'), name: z.string(), uscc: z.string(), phone: z.string() }),
  ])
  .check(z.describe('Personal data masked (张**, 3204**********1234, 138****5678).'));

const CaseStatus = z.enum(CASE_STATUSES);

const CasePlaces = z
  .object({ acceptedAt: z.string(), decidedAt: z.optional(z.string()) })
  .check(z.describe('通办: the place where the case was accepted and the competent place that decides it.'));

/** A license as the applicant is given it: with a short-lived link to its signed document. */
const LicenseItem = z.object({
  id: z.string(),
  serviceId: z.string(),
  name: z.string(),
  issuedAt: Timestamp,
  downloadUrl: Link.check(
    z.describe(
      'The signed license document (HTML); its data — the verification code among it — as JSON in its data block (the `script` element of type `application/json` with id `license-data`). A short-lived link (minutes).',
    ),
  ),
  dataUrl: z.optional(
    Link.check(
      z.describe(
        'Only licenses issued before 2026-12-03: their data (JSON) in a file of its own. Since, the document carries it in its data block (the `script` element of type `application/json` with id `license-data`).',
      ),
    ),
  ),
});

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
      departmentId: z.optional(z.string()),
      result: z.enum(['approved', 'rejected', 'pending']),
      opinion: z.optional(z.string()),
    }),
  ),
  applicant: MaskedApplicant,
  delivery: DeliveryMethodSchema,
  materials: z.array(CaseMaterial),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  dueAt: Timestamp.check(
    z.describe('The bundle’s deadline, extended while the case waits for the applicant.'),
  ),
  correctionRound: count,
  correction: z
    .optional(
      z.object({
        round: count.check(
          z.describe('The correction round: 0 for the first request, one more for each after it.'),
        ),
        requestedAt: Timestamp,
        dueAt: Timestamp,
        stage: z.enum(['acceptance', 'review']),
        departments: z.array(z.string()),
        items: z.array(z.extend(CorrectionItemSchema, { departmentId: z.string() })),
      }),
    )
    .check(z.describe('The one consolidated correction request (补正), while the case awaits it.')),
  refusal: z.optional(z.object({ opinion: z.string() })),
  tasks: z.array(TaskViewSchema),
  timeline: z.array(
    z.object({
      at: Timestamp,
      event: z
        .string()
        .check(
          z.describe(
            'What happened: submitted, accepted, `<kind>_task_opened`, `<kind>_decided`, correction_requested, supplemented, merged, issued, rejected, withdrawn, task_overdue…',
          ),
        ),
      // Built by the core as plain JSON (core/case/model.ts TimelineEntry): its values are published
      // typed, and every real answer is validated against them (test/api/responses.e2e.test.ts).
      detail: z
        .optional(z.pipe(z.record(z.string(), z.unknown()), z.record(z.string(), TimelineValue)))
        .check(z.describe('Facts of the event: the task, department, services, round, outcome…')),
    }),
  ),
  licenses: z
    .array(LicenseItem)
    .check(
      z.describe(
        'The e-licenses issued (一窗出件), each with its download link — as GET /v1/cases/{caseId}/licenses gives them, so a portal shows the outcome and its licenses from one read.',
      ),
    ),
  places: z.optional(CasePlaces),
  results: z
    .optional(z.record(z.string(), z.record(z.string(), z.string())))
    .check(
      z.describe(
        'What the approved services produced, per service (the new enterprise’s uscc, license numbers…).',
      ),
    ),
  actedBy: z
    .optional(
      z.object({
        basis: z.enum(['self', 'legal_representative', 'authorised', 'authorisation']),
        authorisationId: z.optional(z.string()),
        helper: z
          .boolean()
          .check(
            z.describe(
              'True when someone other than the applicant acted, under an authorisation (帮办代办).',
            ),
          ),
        verifiedBy: z
          .optional(z.object({ kind: z.literal('counter'), officer: z.string() }))
          .check(
            z.describe(
              'Verified in person at a counter (窗口) portal, by this officer, instead of by a token.',
            ),
          ),
      }),
    )
    .check(
      z.describe(
        'Who applied, for the applicant: themself, through their organisation, or a helper under a recorded authorisation.',
      ),
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
  description: z.optional(z.string()),
  createdAt: Timestamp,
});

export const WebhookCreatedSchema = z.extend(WebhookSchema, {
  secret: z
    .string()
    .check(
      z.regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
      z.describe(
        'The Standard Webhooks signing secret (`whsec_` + base64 of 32 random bytes): pass it as is to a `standardwebhooks` library to verify `webhook-signature`. Shown only in this answer: store it.',
      ),
    ),
});

export const WebhookListSchema = z.object({ items: z.array(WebhookSchema) });

export const TaskListSchema = z.object({
  items: z.array(TaskViewSchema),
  nextCursor: z
    .optional(z.string())
    .check(z.describe('Pass as ?cursor= for the next page; absent on the last page.')),
});

export const TaskDetailSchema = z.extend(z.omit(TaskViewSchema, { services: true }), {
  case: z.object({
    id: z.string(),
    status: CaseStatus,
    applicant: z
      .union([ApplicantSchema, MaskedApplicant])
      .check(
        z.describe(
          'In full while the department holds an open task on the case and for a period after its last one (DEPARTMENT_ACCESS_AFTER_CLOSE); then masked, and materials without download links.',
        ),
      ),
    personalData: z
      .enum(['full', 'masked'])
      .check(
        z.describe(
          'Whether this answer shows the applicant’s personal data in full (and so is in their access log).',
        ),
      ),
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
      commitment: z
        .boolean()
        .check(z.describe('The applicant signed a commitment (告知承诺) for this service.')),
    }),
  ),
  form: z
    .record(
      z.string(),
      z.object({
        title: z.string().check(z.describe('The field’s label in the merged form.')),
        // A form value as submitted (checked against the merged form: a string, number or boolean),
        // or a value a prerequisite produced; masked when personal data is.
        value: z.pipe(z.unknown(), FormValue),
      }),
    )
    .check(z.describe('Only the fields this department’s services need (最小必要).')),
  materials: z.array(
    z.extend(CaseMaterial, {
      fileName: z.optional(z.string()),
      contentType: z.optional(z.string()),
      size: z.optional(z.number().check(z.int(), z.positive())),
      downloadUrl: z.optional(Link),
      expiresAt: z.optional(Timestamp),
    }),
  ),
  prerequisites: z
    .optional(
      z.array(
        z.object({
          serviceId: z.string(),
          name: z.string(),
          departmentId: z.string(),
          result: z.object({
            kind: z.string(),
            name: z.string(),
            data: z.record(z.string(), z.string()),
          }),
        }),
      ),
    )
    .check(
      z.describe(
        'Staged dispatch: the approved prerequisites of this task’s services and the data their results produced (e.g. the new enterprise’s uscc) — 同步获取前置部门的办理信息.',
      ),
    ),
  inspection: z
    .optional(
      z.object({
        services: z.array(z.string()),
        departments: z.array(z.object({ id: z.string(), name: z.string() })),
        taskId: z.optional(z.string()),
        organiser: z.optional(z.string()),
        status: z.optional(z.enum(TASK_STATUSES)),
        scheduledBy: z.optional(Timestamp),
        findings: z.optional(z.string()),
        decidedAt: z.optional(Timestamp),
      }),
    )
    .check(
      z.describe(
        '联合勘验: the one on-site inspection this task’s services share with the other inspecting departments.',
      ),
    ),
  places: z.optional(CasePlaces),
});

export const TaskDecidedSchema = z.extend(TaskViewSchema, {
  replayed: z.boolean().check(z.describe('true when this repeats an identical earlier decision.')),
});

export const SupervisionSchema = z.object({
  generatedAt: Timestamp,
  totals: z.object({
    overdue: count,
    atRisk: count,
    ...EvaluationTotalsSchema,
  }),
  departments: z.array(
    z.object({
      departmentId: z.string(),
      departmentName: z.string(),
      overdue: z.array(TaskViewSchema),
      atRisk: z.array(TaskViewSchema),
    }),
  ),
  places: z
    .array(z.object({ placeId: z.string(), placeName: z.string(), overdue: count, atRisk: count }))
    .check(z.describe('通办: the same tasks counted per place (each department belongs to one place).')),
  // 好差评 整改 and 12345 (evaluation-schemas.ts).
  ...EvaluationAttentionSchema,
});

// ───────────────────────────── licenses ─────────────────────────────

export const LicenseListSchema = z.object({ items: z.array(LicenseItem) });

export const VerificationSchema = z.object({
  valid: z.boolean().check(z.describe('Both stored files intact and the signature over them valid.')),
  licenseId: z.string(),
  serviceId: z.string(),
  name: z.string(),
  issuedAt: Timestamp,
  issuer: DepartmentRef,
  holder: z
    .optional(
      z.object({
        kind: z.enum(['person', 'organisation']),
        name: z.string(),
        identifierType: z.enum(['idNumber', 'uscc']),
        identifier: z.string(),
      }),
    )
    .check(z.describe('Shown, masked, only when the license data is intact.')),
  checks: z.object({ documentIntact: z.boolean(), dataIntact: z.boolean(), signatureValid: z.boolean() }),
  algorithm: z.string(),
  keyId: z.string(),
});

// ───────────────────────────── webhooks ─────────────────────────────

/** What a portal's webhook receives: thin on purpose, ids and statuses only, never personal data. */
export const CaseStatusChangedEventSchema = z.object({
  id: z.string().check(z.describe('The event id; the same on every retry of this event.')),
  type: z.literal(CASE_STATUS_CHANGED),
  caseId: z.string(),
  status: CaseStatus,
  previousStatus: z.optional(CaseStatus),
  occurredAt: Timestamp,
  links: z.object({ case: z.url().check(z.describe('GET it with your API key for the details.')) }),
});

/** What a department's webhook receives for one of its tasks: ids, kind and deadline, never personal data. */
const taskEvent = (type: TaskEventType) =>
  z.object({
    id: z.string().check(z.describe('The event id; the same on every retry of this event.')),
    type: z.literal(type),
    taskId: z.string(),
    kind: z.enum(TASK_KINDS).check(z.describe('The task’s kind.')),
    caseId: z.string(),
    departmentId: z.string().check(z.describe('The department holding the task (the webhook’s own).')),
    dueAt: Timestamp.check(z.describe('The task’s deadline.')),
    occurredAt: Timestamp,
    links: z.object({ task: z.url().check(z.describe('GET it with the department token for the details.')) }),
  });
export const TaskOpenedEventSchema = taskEvent(TASK_OPENED);
export const TaskDueSoonEventSchema = taskEvent(TASK_DUE_SOON);
export const TaskOverdueEventSchema = taskEvent(TASK_OVERDUE);

/** Standard Webhooks headers, the same on every event this API sends. */
const signatureHeaders = {
  [WEBHOOK_ID_HEADER]: {
    description:
      'Standard Webhooks message id: the event id, the same on every try of one event (deduplicate on it).',
    schema: z.string().check(z.minLength(1)),
  },
  [WEBHOOK_TIMESTAMP_HEADER]: {
    description: 'Standard Webhooks timestamp: unix seconds of this try; refuse one more than 5 minutes off.',
    schema: z.string().check(z.regex(/^\d+$/)),
  },
  [WEBHOOK_SIGNATURE_HEADER]: {
    description:
      'Standard Webhooks signature: `v1,<base64 HMAC-SHA256(base64-decoded secret after "whsec_", "<webhook-id>.<webhook-timestamp>.<raw body>")>`, space-separated when several. Verify with any `standardwebhooks` library.',
    schema: z.string().check(z.regex(/^v1,[A-Za-z0-9+/]{43}=( v1,[A-Za-z0-9+/]{43}=)*$/)),
  },
};

/** How a department's task event is delivered (core/webhooks/events.ts; each at most once per task). */
const toDepartment =
  'POSTed to the webhooks of the department holding the task that subscribed to this event (POST /v1/departments/{departmentId}/webhooks `events`, all three by default); retried with backoff until answered 2xx. Verify the signature before trusting the body.';

/** Webhooks this API sends (OpenAPI 3.1 `webhooks`), by name. */
export const webhookContracts = {
  [CASE_STATUS_CHANGED]: {
    summary: 'A case of yours changed status',
    description:
      'POSTed to every webhook of the portal that submitted the case; retried with backoff until answered 2xx. Verify the signature before trusting the body.',
    tags: ['Webhooks'] as Tag[],
    headers: signatureHeaders,
    body: CaseStatusChangedEventSchema,
  },
  [TASK_OPENED]: {
    summary: 'A task of your department was opened',
    description: `Sent when the task is written (it is in the inbox). ${toDepartment}`,
    tags: ['Departments'] as Tag[],
    headers: signatureHeaders,
    body: TaskOpenedEventSchema,
  },
  [TASK_DUE_SOON]: {
    summary: 'A task of your department is due within one working day',
    description: `Sent once, when the task's deadline is within one working day and it is still pending. ${toDepartment}`,
    tags: ['Departments'] as Tag[],
    headers: signatureHeaders,
    body: TaskDueSoonEventSchema,
  },
  [TASK_OVERDUE]: {
    summary: 'A task of your department is past its deadline',
    description: `Sent once, when the task is still pending past its deadline (the overdue sweep). ${toDepartment}`,
    tags: ['Departments'] as Tag[],
    headers: signatureHeaders,
    body: TaskOverdueEventSchema,
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
    openapi: z.string().check(z.regex(/^3\.1\.\d+$/)),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .check(z.describe('This document.'));

// ───────────────────────────── the routes ─────────────────────────────

/**
 * Named schemas of the document (`#/components/schemas/<id>`). Any module may name one with
 * `component(id, schema)` — a new route's handler file included — and the OpenAPI builder publishes
 * every named schema: those a route takes as its body as requests (io: input), the others as
 * responses (io: output). A schema without a name is inlined where it is used.
 */
export const components = new Map<z.core.$ZodType, string>();

export function component<T extends z.core.$ZodType>(id: string, schema: T): T {
  const taken = [...components].find(([s, i]) => i === id && s !== schema);
  if (taken) throw new Error(`Two schemas are named "${id}" in the OpenAPI components.`);
  components.set(schema, id);
  return schema;
}

for (const [id, schema] of Object.entries({
  Application: ApplicationSchema,
  Supplement: SupplementSchema,
  Withdrawal: WithdrawalSchema,
  MaterialDeclaration: DeclarationSchema,
  MaterialSetDeclaration: DeclarationSetSchema,
  PrefillRequest: PrefillRequestSchema,
  DecisionRequest: DecisionRequestSchema,
  WebhookRequest: WebhookRequestSchema,
  Problem: ProblemSchema,
  Timestamp: Timestamp,
  Health: HealthSchema,
  OpenApiDocument: OpenApiDocumentSchema,
  BundleList: BundleListSchema,
  BundleDetail: BundleDetailSchema,
  Guide: GuideSchema,
  Form: FormSchema,
  MergedForm: MergedFormSchema,
  FormField: FormProperty,
  Metrics: MetricsSchema,
  Prefill: PrefillSchema,
  AccessLog: AccessLogSchema,
  ApplicantCaseList: ApplicantCaseListSchema,
  ReductionMetrics: ReductionMetricsSchema,
  MaterialCreated: MaterialCreatedSchema,
  MaterialSetCreated: MaterialSetCreatedSchema,
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
  TaskOpenedEvent: TaskOpenedEventSchema,
  TaskDueSoonEvent: TaskDueSoonEventSchema,
  TaskOverdueEvent: TaskOverdueEventSchema,
  Webhook: WebhookSchema,
  WebhookCreated: WebhookCreatedSchema,
  WebhookList: WebhookListSchema,
}))
  component(id, schema);

/**
 * What each named schema is, for the document (a schema's own `.describe()` comes first). A new
 * component needs a line here, or a description of its own: the API lint refuses one without.
 */
export const COMPONENT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Application:
    'One application (一次提交) for all or some services of a bundle: who applies, the merged form’s values, the materials, and how results are delivered.',
  Supplement:
    'The answer to a correction request (补正): corrected form values and/or replacement materials.',
  Withdrawal: 'Why the applicant withdraws the case (optional).',
  MaterialDeclaration:
    'A file of 一套材料, declared before its bytes are uploaded: its type, name, content type, size and SHA-256.',
  MaterialSetDeclaration:
    'A whole set of files of 一套材料 (1–50), declared at once before their bytes are uploaded: each item as POST /v1/materials takes it.',
  PrefillRequest:
    'Who the portal asks shared data about (the signed-in applicant), for which bundle, and the applicant’s consent.',
  DecisionRequest:
    'A department’s decision on its task: approve, reject (with the reason) or ask for corrections.',
  WebhookRequest: 'A callback URL to register for the status changes of this portal’s cases.',
  AuthorisationRequest: 'An organisation’s authorisation of a person to apply on its behalf.',
  InquiryAnswer: 'A department’s answer to an inquiry (12345).',
  RectificationCompletion:
    'How a department completed the rectification (整改) a poor rating opened, with its follow-up visit (回访).',
  DepartmentWebhookRequest: 'A callback URL to register for a department’s task events.',
  HotlineInquiryRequest: 'An inquiry the 12345 hotline records for an applicant.',
  InquiryRequest: 'An applicant’s consultation, complaint or suggestion about a case or a bundle.',
  RatingRequest: 'An applicant’s rating (好差评) of a final case on the five-level scale.',
  Problem: 'An RFC 9457 problem: every error of this API, with every problem of the request in `errors`.',
  Timestamp: 'An instant, ISO 8601 in UTC.',
  Health: 'The deployment is up: its city and catalog version.',
  OpenApiDocument: 'This document.',
  BundleList: 'The city’s list of bundles (一张清单).',
  BundleDetail: 'A bundle with its services in full, its rules and what applying once saves.',
  Guide:
    'The one complete notice (一次告知) for the chosen services: conditions, materials once, what is not needed, fees, results, time limits and steps.',
  Form: 'The merged form (一表申请) for the chosen services.',
  MergedForm: 'The merged form as a JSON Schema (draft 2020-12) object.',
  FormField: 'One field of the merged form: JSON Schema with the platform’s `x-` annotations.',
  Metrics: 'What applying once saves for the chosen services.',
  Prefill:
    'What the government already holds about the applicant for this form (共享数据), with the preview to confirm.',
  AccessLog: 'Every read of the applicant’s personal data, newest first.',
  ApplicantCaseList: 'The signed-in applicant’s cases through this portal.',
  ReductionMetrics: 'Fields, materials, visits and days: before and after merging.',
  MaterialCreated: 'A declared material and where to upload its bytes.',
  MaterialSetCreated:
    'A declared set of materials, each with where to upload its bytes, in the order declared.',
  Material: 'A declared material and the state of its bytes.',
  CaseSubmitted: 'A submitted case: its id, bundle, services and deadline.',
  Case: 'A case as its applicant follows it (进度查询).',
  SupplementAccepted: 'The supplement was accepted: the case goes back to the departments that asked.',
  Withdrawn: 'The case was withdrawn.',
  TaskView: 'A task of a case: who holds it, its kind, round, stage, deadline and decision.',
  TaskList: 'One page of a department’s tasks.',
  TaskDetail: 'A task with only the case data its services need (最小必要).',
  TaskDecided: 'The task as decided.',
  Supervision: 'Overdue and at-risk work per department and place (电子监察).',
  LicenseList: 'The e-licenses of a case, with download links.',
  Verification: 'Whether a license is authentic: its files intact and its signature valid.',
  CaseStatusChangedEvent: 'The thin event a portal’s webhook receives when a case changes status.',
  TaskOpenedEvent: 'The thin event a department’s webhook receives when one of its tasks is opened.',
  TaskDueSoonEvent:
    'The thin event a department’s webhook receives when one of its tasks is due within one working day.',
  TaskOverdueEvent:
    'The thin event a department’s webhook receives when one of its tasks is past its deadline.',
  Webhook: 'A registered webhook (without its secret).',
  WebhookCreated: 'A registered webhook, with its signing secret (shown once).',
  WebhookList: 'The portal’s webhooks.',
  Authorisation: 'An organisation’s authorisation of a person to act for it.',
  AuthorisationList: 'The organisation’s authorisations.',
  Inquiry: 'A consultation, complaint or suggestion (12345) and its answer.',
  InquiryCreated: 'A recorded inquiry: its id and deadline.',
  InquiryList: 'One page of inquiries.',
  Rectification: 'A rectification (整改) opened by a poor rating, and its follow-up visit.',
  RectificationList: 'One page of a department’s rectifications.',
  Rating: 'A case’s rating (好差评).',
  DepartmentWebhook: 'A department’s registered webhook (without its secret).',
  DepartmentWebhookCreated: 'A department’s registered webhook, with its signing secret (shown once).',
  DepartmentWebhookList: 'The department’s webhooks.',
  Statistics: 'The reform’s KPIs (考核评价) for the chosen scope and period.',
};

/** What each path or query parameter is, by name, where its schema says nothing. */
export const PARAMETER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  bundleId: 'A bundle (一件事) of the city’s list, e.g. `enterprise-opening`.',
  caseId: 'A case of this portal and applicant, as POST /v1/cases answered it.',
  taskId: 'A task of this department, as its inbox lists it.',
  materialId: 'A material this portal declared (POST /v1/materials).',
  licenseId: 'A license, as the case’s license list or the license itself gives it.',
  departmentId: 'The department, e.g. `market-regulation`: the caller’s own (the supervisor may name any).',
  webhookId: 'A webhook of the caller, as its creation answered it.',
  inquiryId: 'An inquiry, as its creation answered it.',
  authorisationId: 'An authorisation, as its creation answered it.',
  status: 'Only the tasks in this status.',
  limit: 'At most this many items on the page.',
  cursor: 'The nextCursor of the previous page, unchanged.',
};
