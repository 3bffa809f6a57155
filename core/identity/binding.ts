/**
 * Binding a request to the signed-in applicant: the applicant a submission or a prefill names must
 * be the token's subject, or a principal it may act for (its organisation; or under a recorded
 * 帮办代办 authorisation). Anything else is refused with `applicant_mismatch` (403), saying what
 * disagrees — never anything of the other party's.
 */
import { ForbiddenError } from '../shared/errors.ts';
import type { ApplicantIdentity, ClaimedApplicant } from './applicant.ts';
import { type ActingRecord, type Authorisation, mayActOnBehalf, type Purpose } from './authorisation.ts';

export class ApplicantMismatchError extends ForbiddenError {
  override readonly code = 'applicant_mismatch';
  constructor(
    message: string,
    /** Why, as core/identity/authorisation.ts names it (different_person, name_mismatch…). */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** The acting record when `identity` may act as `claimed` for `purpose`; throws ApplicantMismatchError otherwise. */
export function bindApplicant(
  identity: ApplicantIdentity,
  claimed: ClaimedApplicant,
  context: {
    readonly purpose: Purpose;
    readonly authorisations: readonly Authorisation[];
    readonly now: Date;
  },
): ActingRecord {
  const decision = mayActOnBehalf(identity, claimed, context);
  if (decision.allowed) return decision;
  throw new ApplicantMismatchError(
    `The applicant named is not the signed-in applicant: ${decision.message}.`,
    decision.reason,
  );
}
