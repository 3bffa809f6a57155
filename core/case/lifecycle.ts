/**
 * The case lifecycle as data (OpenCRVS style): each status and the actions allowed in it. Every
 * state change goes through `assertAllowed`, and the repository's conditional writes check the
 * same `from` status, so a late or duplicate action can never move a case backwards.
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

export type CaseAction =
  | 'accept' // lead department accepts → in_review
  | 'refuse' // lead department refuses (不予受理) → rejected
  | 'request_correction' // lead or reviewers ask once for corrections → awaiting_correction
  | 'supplement' // applicant answers the correction request → back to review
  | 'merge' // reviews decided, outcome merged
  | 'issue' // results issued → issued
  | 'reject' // nothing approved → rejected
  | 'withdraw'; // applicant withdraws

export const ALLOWED: Readonly<Record<CaseStatus, readonly CaseAction[]>> = {
  submitted: ['accept', 'refuse', 'request_correction', 'withdraw'],
  in_review: ['merge', 'request_correction', 'issue', 'reject', 'withdraw'],
  awaiting_correction: ['supplement', 'reject', 'withdraw'],
  issued: [],
  rejected: [],
  withdrawn: [],
};

/** The status an action leads to. */
export const NEXT: Readonly<Record<CaseAction, CaseStatus | 'same'>> = {
  accept: 'in_review',
  refuse: 'rejected',
  request_correction: 'awaiting_correction',
  supplement: 'same', // back to where the correction was asked from (submitted or in_review)
  merge: 'same',
  issue: 'issued',
  reject: 'rejected',
  withdraw: 'withdrawn',
};

export const isFinal = (s: CaseStatus) => ALLOWED[s].length === 0;

export function assertAllowed(status: CaseStatus, action: CaseAction): void {
  if (!ALLOWED[status].includes(action))
    throw new ConflictError(`A case that is ${status} does not allow "${action}".`);
}
