/**
 * The case lifecycle as data (OpenCRVS style): each status, the actions allowed in it and the
 * status each action leads to. This table is the only place a from/to pair is written: every
 * status change goes through `transition`, and the repository's conditional write checks the
 * transition's `from`, so a late or duplicate action can never move a case backwards.
 */
import { ConflictError } from '../shared/errors.ts';

export const CASE_STATUSES = [
  'submitted',
  'in_review',
  'awaiting_correction',
  'issued',
  'rejected',
  'withdrawn',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Every case starts here (一次提交). */
export const INITIAL_STATUS = 'submitted' satisfies CaseStatus;

export const CASE_ACTIONS = [
  'accept', // lead department accepts
  'refuse', // lead department refuses (不予受理)
  'request_correction', // lead or reviewers ask once for corrections (一次告知)
  'supplement', // applicant answers the correction request
  'merge', // reviews decided, outcome merged
  'record_results', // the data approved services produced (credit code, license numbers) recorded
  'issue', // results issued
  'reject', // nothing approved, or the correction was not supplied in time
  'withdraw', // applicant withdraws (撤回)
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** Where a correction was asked: at acceptance (受理) or in review (审查). */
export const CORRECTION_STAGES = ['acceptance', 'review'] as const;
export type CorrectionStage = (typeof CORRECTION_STAGES)[number];

/** A supplement leads back to the status the correction was asked in. */
const BACK = 'back to where the correction was asked';

/** status → action → next status: the lifecycle. A status with no actions is final. */
const TABLE: Readonly<Record<CaseStatus, Partial<Record<CaseAction, CaseStatus | typeof BACK>>>> = {
  submitted: {
    accept: 'in_review',
    refuse: 'rejected',
    request_correction: 'awaiting_correction',
    withdraw: 'withdrawn',
  },
  in_review: {
    merge: 'in_review',
    record_results: 'in_review',
    request_correction: 'awaiting_correction',
    issue: 'issued',
    reject: 'rejected',
    withdraw: 'withdrawn',
  },
  awaiting_correction: {
    supplement: BACK,
    reject: 'rejected',
    withdraw: 'withdrawn',
  },
  issued: {},
  rejected: {},
  withdrawn: {},
};

/** The stage of a correction asked in a status, and (read backwards) where its supplement returns. */
const CORRECTION_ASKED_IN = {
  acceptance: 'submitted',
  review: 'in_review',
} as const satisfies Record<CorrectionStage, CaseStatus>;

/** The actions each status allows (read off the table). */
export const ALLOWED: Readonly<Record<CaseStatus, readonly CaseAction[]>> = (() => {
  const allowed = {} as Record<CaseStatus, readonly CaseAction[]>;
  for (const s of CASE_STATUSES) allowed[s] = CASE_ACTIONS.filter((a) => TABLE[s][a] !== undefined);
  return allowed;
})();

export const isFinal = (s: CaseStatus) => ALLOWED[s].length === 0;

/** Whether `status` allows `action`. */
export const allows = (status: CaseStatus, action: CaseAction) => TABLE[status][action] !== undefined;

/** Every status that allows `action` (e.g. the `from` of a withdrawal's conditional write). */
export function statusesAllowing(action: CaseAction): readonly CaseStatus[] {
  return CASE_STATUSES.filter((s) => allows(s, action));
}

/**
 * The one status `action` leads to from every status allowing it (e.g. withdraw → withdrawn, to
 * recognise a retry); throws for an action whose target depends on where it starts.
 */
export function leadsTo(action: CaseAction): CaseStatus {
  const targets = new Set(statusesAllowing(action).map((s) => TABLE[s][action]));
  const [only] = targets;
  if (targets.size !== 1 || only === undefined || only === BACK)
    throw new Error(`"${action}" leads to different statuses depending on where it starts.`);
  return only;
}

/** The stage a correction asked in `status` belongs to; undefined where no correction can be asked. */
export function correctionStageOf(status: CaseStatus): CorrectionStage | undefined {
  return CORRECTION_STAGES.find((stage) => CORRECTION_ASKED_IN[stage] === status);
}

export interface TransitionContext {
  /** For `supplement`: the open correction request, whose stage says where the case returns. */
  readonly correction?: { readonly stage: CorrectionStage } | undefined;
}

/** One allowed status change: what the conditional write checks (`from`) and writes (`to`). */
export interface Transition {
  readonly action: CaseAction;
  readonly from: CaseStatus;
  readonly to: CaseStatus;
}

/**
 * The transition `action` makes from `status`, or ConflictError when the table does not allow it
 * (a final status allows nothing). A supplement needs the correction it answers (its stage).
 */
export function transition(
  status: CaseStatus,
  action: CaseAction,
  context: TransitionContext = {},
): Transition {
  const target = TABLE[status][action];
  if (target === undefined) throw new ConflictError(`A case that is ${status} does not allow "${action}".`);
  if (target !== BACK) return { action, from: status, to: target };
  if (!context.correction)
    throw new ConflictError(`A case that is ${status} has no open correction request to answer.`);
  return { action, from: status, to: CORRECTION_ASKED_IN[context.correction.stage] };
}

/** Throws ConflictError unless `status` allows `action`. */
export function assertAllowed(status: CaseStatus, action: CaseAction): void {
  if (!allows(status, action)) transition(status, action);
}
