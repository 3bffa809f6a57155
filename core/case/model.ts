/**
 * A case (办件) and its tasks as stored and as shown. Ids carry no personal data: a case id is
 * random (128 bits), a task id derived from its case, round and department.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { ApplicantSchema, DeliverySchema } from './applicant.ts';
import { CASE_STATUSES, CORRECTION_STAGES } from './lifecycle.ts';

export const TASK_KINDS = ['acceptance', 'review', 'supplement', 'inspection'] as const;
export const TASK_STATUSES = ['pending', 'approved', 'rejected', 'correction_requested', 'closed'] as const;
export const OUTCOMES = ['approve', 'reject', 'correct'] as const;
export type Outcome = (typeof OUTCOMES)[number];

// Each schema is built by a call marked /* @__PURE__ */: a Lambda bundle that imports this module
// and never uses a schema drops it, and builds nothing of it at init (esbuild removes an unused
// pure call; a bare z.object(…) it must keep, issue #14).
export const CorrectionItemSchema = /* @__PURE__ */ (() =>
  z.object({
    path: z.optional(z.string().check(z.maxLength(200))),
    materialType: z.optional(z.string().check(z.maxLength(100))),
    message: z.string().check(z.minLength(1), z.maxLength(1000)),
  }))();
export type CorrectionItem = z.infer<typeof CorrectionItemSchema>;

export const DecisionSchema = /* @__PURE__ */ (() =>
  z.object({
    outcome: z.enum(OUTCOMES),
    opinion: z._default(z.string().check(z.maxLength(2000)), ''),
    corrections: z._default(z.array(CorrectionItemSchema).check(z.maxLength(50)), []),
    decidedAt: z.string(),
    decidedBy: z.string(),
  }))();
export type Decision = z.infer<typeof DecisionSchema>;

export const CaseMaterialSchema = /* @__PURE__ */ (() =>
  z.object({
    type: z.string(),
    materialId: z.optional(z.string()),
    /** Held by the government (e-license library / earlier case): fetched, not uploaded. */
    sharedData: z.optional(z.boolean()),
    /** The e-license or earlier-case material cited (from POST /v1/prefill). */
    reference: z.optional(z.string()),
    /** 容缺: promised for later, due by this instant. */
    deferredUntil: z.optional(z.string()),
    /**
     * The uploaded file's facts, copied from the material when it is attached (submission,
     * supplement), so a task view presigns its download without reading the material. Internal:
     * never in an answer (the object key is storage's, not the API's — core/case/views.ts
     * `publicMaterial`). Absent on cases attached before it was recorded: read from the material then.
     */
    file: z.optional(
      z.object({
        s3Key: z.string().check(z.minLength(1)),
        fileName: z.string().check(z.minLength(1)),
        contentType: z.string().check(z.minLength(1)),
        size: z.number().check(z.int(), z.positive()),
      }),
    ),
  }))();
export type CaseMaterial = z.infer<typeof CaseMaterialSchema>;
/** An uploaded material's stored file as a case records it. */
export type MaterialFile = NonNullable<CaseMaterial['file']>;

export const CaseRecordSchema = /* @__PURE__ */ (() =>
  z.object({
    caseId: z.string(),
    portalId: z.string(),
    bundleId: z.string(),
    services: z.array(z.string()),
    catalogVersion: z.string(),
    status: z.enum(CASE_STATUSES),
    applicant: ApplicantSchema,
    form: z.record(z.string(), z.unknown()),
    materials: z.array(CaseMaterialSchema),
    delivery: DeliverySchema,
    commitments: z.array(z.string()),
    requestHash: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** The bundle's deadline: working days of the slowest service, extended while paused. */
    dueAt: z.string(),
    correctionRound: z.number().check(z.int(), z.nonnegative()),
    /** The last supplement: which round it answered and its request's hash, so a retry is answered alike. */
    supplemented: z.optional(z.object({ round: z.number().check(z.int()), requestHash: z.string() })),
    /** The open consolidated correction request (一次反馈), if any. */
    correction: z.optional(
      z.object({
        round: z.number().check(z.int()),
        requestedAt: z.string(),
        dueAt: z.string(),
        stage: z.enum(CORRECTION_STAGES),
        departments: z.array(z.string()),
        items: z.array(z.extend(CorrectionItemSchema, { departmentId: z.string() })),
      }),
    ),
    outcome: z.optional(
      z.object({
        approved: z.array(z.string()),
        rejected: z.array(z.object({ serviceId: z.string(), departmentId: z.string(), opinion: z.string() })),
        refused: z.optional(z.object({ opinion: z.string() })),
        decidedAt: z.string(),
      }),
    ),
    executionArn: z.optional(z.string()),
    /** 通办: where the case was accepted (the portal's or counter's place) and where it is decided. */
    places: z.optional(z.object({ acceptedAt: z.string(), decidedAt: z.optional(z.string()) })),
    /** Data the approved services produced (credit code, license numbers…), per service. */
    results: z.optional(z.record(z.string(), z.record(z.string(), z.string()))),
    /**
     * Who acted, as the identity provider vouched (the token's subject, never an identifier), and on
     * what grounds: as the applicant themself, for their organisation, or under a recorded 帮办代办
     * authorisation. Absent on cases submitted before applicants were known.
     */
    acting: z.optional(
      z.object({
        subject: z.string(),
        kind: z.enum(['person', 'organisation']),
        basis: z.enum(['self', 'legal_representative', 'authorised', 'authorisation']),
        authorisationId: z.optional(z.string()),
        assurance: z.number().check(z.int(), z.gte(1), z.lte(3)),
        /** Verified in person at a counter (窗口) rather than by a token: the officer who checked the ID. */
        verifiedBy: z.optional(z.object({ kind: z.literal('counter'), officer: z.string() })),
      }),
    ),
    version: z.number().check(z.int()),
  }))();
export type CaseRecord = z.infer<typeof CaseRecordSchema>;

export const TaskRecordSchema = /* @__PURE__ */ (() =>
  z.object({
    taskId: z.string(),
    caseId: z.string(),
    kind: z.enum(TASK_KINDS),
    departmentId: z.string(),
    services: z.array(z.string()),
    round: z.number().check(z.int(), z.nonnegative()),
    /** Staged dispatch: 0 for the services without prerequisites, then one more per stage. */
    stage: z.optional(z.number().check(z.int(), z.nonnegative())),
    status: z.enum(TASK_STATUSES),
    createdAt: z.string(),
    dueAt: z.string(),
    overdue: z._default(z.boolean(), false),
    escalations: z._default(z.number().check(z.int(), z.nonnegative()), 0),
    taskToken: z.optional(z.string()),
    /** How many tasks the stage's wait opened with this one (1: it alone — its decision ends the stage). */
    stageSize: z.optional(z.number().check(z.int(), z.positive())),
    /**
     * Which opening of the wait gave this task its token (core/flow/steps.ts openStage: the same for
     * every task of that opening, whatever their stage numbers): a wait that carries on holds the
     * tasks of several openings, and `stageSize` counts within one.
     */
    wave: z.optional(z.string()),
    /**
     * The wait holding this task carries on (core/flow/steps.ts `answerWait`): the state machine's
     * definition takes any step from it, so the next stage opens under the same token and only the
     * outcome is sent. Absent on tasks of executions started on an older definition.
     */
    carryOn: z.optional(z.literal(true)),
    decision: z.optional(DecisionSchema),
  }))();
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

export interface TimelineEntry {
  readonly at: string;
  readonly event: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/**
 * The old case id, derived from the portal and its Idempotency-Key — computable by anyone who can
 * guess a key, so no longer used for new cases (they get core/identity/keyed-ids.ts `newCaseId`;
 * the key maps to its case through a keyed record). Kept for tests and data written before.
 */
export function caseIdFor(portalId: string, idempotencyKey: string): string {
  const h = createHash('sha256').update(`${portalId}\n${idempotencyKey}`).digest();
  return `c-${base32(h).slice(0, 24)}`;
}

/** Canonical hash of a request body (key order does not matter). */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * "<caseId>.r<round>.<departmentId|kind>[-s<stage>]": deterministic, so re-opening a task is
 * idempotent. A department reviewing in a later stage (staged dispatch) gets its stage appended.
 */
export function taskIdFor(
  caseId: string,
  round: number,
  kind: (typeof TASK_KINDS)[number],
  departmentId: string,
  stage = 0,
): string {
  const suffix = stage > 0 ? `-s${stage}` : '';
  return kind === 'review'
    ? `${caseId}.r${round}.${departmentId}${suffix}`
    : `${caseId}.r${round}.${kind}${suffix}`;
}

export function caseIdOfTask(taskId: string): string | undefined {
  const m = /^(c-[a-z0-9]+)\.r\d+\.[a-z0-9-]+$/.exec(taskId);
  return m?.[1];
}

/**
 * What a task id names (taskIdFor): its case and its kind — `acceptance`, `inspection` and
 * `supplement` by that word, any other a department's `review`. Enough to address the task
 * without reading it; a write made on it conditions on the kind, so a misread id changes nothing.
 */
export function taskRefOf(taskId: string): { caseId: string; kind: (typeof TASK_KINDS)[number] } | undefined {
  const m = /^(c-[a-z0-9]+)\.r\d+\.([a-z0-9-]+)$/.exec(taskId);
  if (!m) return undefined;
  const named = m[2]!.replace(/-s\d+$/, '');
  const kind = named === 'acceptance' || named === 'inspection' || named === 'supplement' ? named : 'review';
  return { caseId: m[1]!, kind };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
