/**
 * A case (办件) and its tasks as stored and as shown. Ids carry no personal data: a case id is
 * random (128 bits), a task id derived from its case, round and department.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ApplicantSchema, DeliverySchema } from './application.ts';
import { CASE_STATUSES, CORRECTION_STAGES } from './lifecycle.ts';

export const TASK_KINDS = ['acceptance', 'review', 'supplement', 'inspection'] as const;
export const TASK_STATUSES = ['pending', 'approved', 'rejected', 'correction_requested', 'closed'] as const;
export const OUTCOMES = ['approve', 'reject', 'correct'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const CorrectionItemSchema = z.object({
  path: z.string().max(200).optional(),
  materialType: z.string().max(100).optional(),
  message: z.string().min(1).max(1000),
});
export type CorrectionItem = z.infer<typeof CorrectionItemSchema>;

export const DecisionSchema = z.object({
  outcome: z.enum(OUTCOMES),
  opinion: z.string().max(2000).default(''),
  corrections: z.array(CorrectionItemSchema).max(50).default([]),
  decidedAt: z.string(),
  decidedBy: z.string(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const CaseMaterialSchema = z.object({
  type: z.string(),
  materialId: z.string().optional(),
  /** Held by the government (e-license library / earlier case): fetched, not uploaded. */
  sharedData: z.boolean().optional(),
  /** The e-license or earlier-case material cited (from POST /v1/prefill). */
  reference: z.string().optional(),
  /** 容缺: promised for later, due by this instant. */
  deferredUntil: z.string().optional(),
  /**
   * The uploaded file's facts, copied from the material when it is attached (submission,
   * supplement), so a task view presigns its download without reading the material. Internal:
   * never in an answer (the object key is storage's, not the API's — core/case/views.ts
   * `publicMaterial`). Absent on cases attached before it was recorded: read from the material then.
   */
  file: z
    .object({
      s3Key: z.string().min(1),
      fileName: z.string().min(1),
      contentType: z.string().min(1),
      size: z.number().int().positive(),
    })
    .optional(),
});
export type CaseMaterial = z.infer<typeof CaseMaterialSchema>;
/** An uploaded material's stored file as a case records it. */
export type MaterialFile = NonNullable<CaseMaterial['file']>;

export const CaseRecordSchema = z.object({
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
  correctionRound: z.number().int().nonnegative(),
  /** The last supplement: which round it answered and its request's hash, so a retry is answered alike. */
  supplemented: z.object({ round: z.number().int(), requestHash: z.string() }).optional(),
  /** The open consolidated correction request (一次反馈), if any. */
  correction: z
    .object({
      round: z.number().int(),
      requestedAt: z.string(),
      dueAt: z.string(),
      stage: z.enum(CORRECTION_STAGES),
      departments: z.array(z.string()),
      items: z.array(CorrectionItemSchema.extend({ departmentId: z.string() })),
    })
    .optional(),
  outcome: z
    .object({
      approved: z.array(z.string()),
      rejected: z.array(z.object({ serviceId: z.string(), departmentId: z.string(), opinion: z.string() })),
      refused: z.object({ opinion: z.string() }).optional(),
      decidedAt: z.string(),
    })
    .optional(),
  executionArn: z.string().optional(),
  /** 通办: where the case was accepted (the portal's or counter's place) and where it is decided. */
  places: z.object({ acceptedAt: z.string(), decidedAt: z.string().optional() }).optional(),
  /** Data the approved services produced (credit code, license numbers…), per service. */
  results: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  /**
   * Who acted, as the identity provider vouched (the token's subject, never an identifier), and on
   * what grounds: as the applicant themself, for their organisation, or under a recorded 帮办代办
   * authorisation. Absent on cases submitted before applicants were known.
   */
  acting: z
    .object({
      subject: z.string(),
      kind: z.enum(['person', 'organisation']),
      basis: z.enum(['self', 'legal_representative', 'authorised', 'authorisation']),
      authorisationId: z.string().optional(),
      assurance: z.number().int().min(1).max(3),
      /** Verified in person at a counter (窗口) rather than by a token: the officer who checked the ID. */
      verifiedBy: z.object({ kind: z.literal('counter'), officer: z.string() }).optional(),
    })
    .optional(),
  version: z.number().int(),
});
export type CaseRecord = z.infer<typeof CaseRecordSchema>;

export const TaskRecordSchema = z.object({
  taskId: z.string(),
  caseId: z.string(),
  kind: z.enum(TASK_KINDS),
  departmentId: z.string(),
  services: z.array(z.string()),
  round: z.number().int().nonnegative(),
  /** Staged dispatch: 0 for the services without prerequisites, then one more per stage. */
  stage: z.number().int().nonnegative().optional(),
  status: z.enum(TASK_STATUSES),
  createdAt: z.string(),
  dueAt: z.string(),
  overdue: z.boolean().default(false),
  escalations: z.number().int().nonnegative().default(0),
  taskToken: z.string().optional(),
  decision: DecisionSchema.optional(),
});
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
