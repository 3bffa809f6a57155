/**
 * Whose case it is: a case belongs to its portal AND to its applicant. An applicant through the
 * portal sees and changes the case only when the token's identity is the case's applicant (on its
 * own standing: core/identity/applicant.ts `mayActFor`, names aside — they are checked when
 * applying), or is the one who acted for the applicant when it was submitted (帮办代办: the helper
 * keeps seeing the case it submitted). Anyone else's case is indistinguishable from a missing one.
 */
import { type ApplicantIdentity, mayActFor } from '../identity/applicant.ts';
import type { CaseRecord } from './model.ts';

export function isApplicantsCase(
  record: Pick<CaseRecord, 'applicant' | 'acting'>,
  identity: ApplicantIdentity,
): boolean {
  if (record.acting?.subject === identity.subject) return true;
  const a = record.applicant;
  const claimed =
    a.kind === 'person'
      ? { kind: 'person' as const, idNumber: a.idNumber }
      : { kind: 'organisation' as const, uscc: a.uscc };
  return mayActFor(identity, claimed).allowed;
}

/** The portal's case of this applicant, or undefined (then the answer is 404, whoever's it is). */
export function ownCase<R extends Pick<CaseRecord, 'portalId' | 'applicant' | 'acting'>>(
  record: R | undefined,
  caller: { readonly portalId: string; readonly applicant?: ApplicantIdentity },
): R | undefined {
  if (!record || record.portalId !== caller.portalId) return undefined;
  if (caller.applicant && !isApplicantsCase(record, caller.applicant)) return undefined;
  return record;
}
