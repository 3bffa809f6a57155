/**
 * Who the applicant is, as the city's identity provider (统一身份认证) vouches for it in a token —
 * as opposed to who an application *says* its applicant is (`Applicant` in core/case/application.ts,
 * here `ClaimedApplicant`). The end-user is always a person; an organisation (企业/法人) acts
 * through a person, as its legal representative or as someone it authorised.
 *
 * Pure: no HTTP, no token parsing (adapters/identity/applicant-tokens.ts maps verified claims to
 * these types).
 */
import { DomainError } from '#core/shared/errors.ts';

/**
 * Identity assurance (身份核验等级), ordered: 1 registered (self-asserted), 2 real-name verified
 * (实名核验: name and ID number checked against the population registry), 3 verified in person or by
 * face (人脸识别 / 窗口核验). Like GOV.UK's and Login.gov's levels; carried in the token's `acr`.
 */
export type AssuranceLevel = 1 | 2 | 3;
export const ASSURANCE_LEVELS: readonly AssuranceLevel[] = [1, 2, 3];

/** The `acr` values of the city's own provider (and the local one). Other providers map theirs by configuration. */
export const DEFAULT_ACR_VALUES: Readonly<Record<string, AssuranceLevel>> = {
  'urn:yijianshi:loa:1': 1,
  'urn:yijianshi:loa:2': 2,
  'urn:yijianshi:loa:3': 3,
};

export const acrFor = (level: AssuranceLevel): string => `urn:yijianshi:loa:${level}`;

/** The person at the keyboard: the token's subject. */
export interface VerifiedPerson {
  /** The provider's stable pseudonymous id (`sub`), never the ID number. */
  readonly subject: string;
  readonly name: string;
  /** 居民身份证号码, verified by the provider. */
  readonly idNumber: string;
}

export type OrganisationRole = 'legal_representative' | 'authorised';

export type ApplicantIdentity =
  | ({ readonly kind: 'person'; readonly assurance: AssuranceLevel } & VerifiedPerson)
  | {
      readonly kind: 'organisation';
      /** The token's `sub`: the account the person signed in with, in the organisation's capacity. */
      readonly subject: string;
      readonly uscc: string;
      /** The organisation's registered name. */
      readonly name: string;
      readonly actingPerson: VerifiedPerson;
      readonly role: OrganisationRole;
      readonly assurance: AssuranceLevel;
    };

/** Who an application (or a prefill request) names as its applicant; structurally core/case's `Applicant`. */
export type ClaimedApplicant =
  | { readonly kind: 'person'; readonly idNumber: string; readonly name?: string }
  | { readonly kind: 'organisation'; readonly uscc: string; readonly name?: string };

/** Why a token does not make an applicant known. Stable codes: the edge maps them, tests match them. */
export type ApplicantTokenRefusal =
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  | 'unknown_key'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_too_old'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_token_type'
  | 'insufficient_scope'
  | 'invalid_claims'
  | 'missing_identity_claims'
  | 'insufficient_assurance';

/**
 * The token does not identify an applicant (401; `insufficient_assurance` is RFC 9470's
 * `insufficient_user_authentication`: the client should sign the user in again at a higher level).
 */
export class ApplicantTokenRefusedError extends DomainError {
  readonly code = 'applicant_token_refused';
  /** For `insufficient_assurance`: the level to sign in at. */
  readonly requiredAssurance: AssuranceLevel | undefined;
  constructor(
    readonly reason: ApplicantTokenRefusal,
    message: string,
    options?: { cause?: unknown; readonly requiredAssurance?: AssuranceLevel },
  ) {
    super(message, options);
    this.requiredAssurance = options?.requiredAssurance;
  }
}

/** On what grounds the identity may act for the claimed applicant. */
export type ActingBasis = 'self' | OrganisationRole;

export type MayActDecision =
  | { readonly allowed: true; readonly basis: ActingBasis }
  | { readonly allowed: false; readonly reason: MayActRefusal; readonly message: string };

export type MayActRefusal =
  | 'different_person'
  | 'different_organisation'
  | 'person_for_organisation'
  | 'organisation_for_person'
  | 'name_mismatch';

/** Names compare after Unicode normalisation (全角/半角), without surrounding or inner spaces. */
export const normaliseName = (name: string): string => name.normalize('NFKC').replace(/\s+/gu, '');

const normaliseIdNumber = (v: string) => v.trim().toUpperCase();

/**
 * Whether the verified identity may act as the claimed applicant, on its own standing (for a
 * recorded 帮办代办 authorisation see core/identity/authorisation.ts):
 * - a person: only as themself — the same ID number (and the same name, when one is claimed);
 * - an organisation: the same credit code, the acting person being its legal representative or
 *   authorised by it (as the provider asserts in the token).
 * A person's token never acts for an organisation, even their own company: they sign in in the
 * organisation's capacity (法人登录), so the token says so.
 */
export function mayActFor(identity: ApplicantIdentity, claimed: ClaimedApplicant): MayActDecision {
  if (identity.kind === 'person') {
    if (claimed.kind !== 'person')
      return refuse(
        'person_for_organisation',
        "a person's token cannot act for an organisation: sign in as the organisation",
      );
    if (normaliseIdNumber(claimed.idNumber) !== normaliseIdNumber(identity.idNumber))
      return refuse('different_person', "the applicant's ID number is not the signed-in person's");
    if (claimed.name !== undefined && normaliseName(claimed.name) !== normaliseName(identity.name))
      return refuse('name_mismatch', "the applicant's name is not the signed-in person's verified name");
    return { allowed: true, basis: 'self' };
  }
  if (claimed.kind !== 'organisation')
    return refuse(
      'organisation_for_person',
      "an organisation's token cannot act for a person: sign in as the person (or use a recorded authorisation)",
    );
  if (claimed.uscc.trim().toUpperCase() !== identity.uscc.trim().toUpperCase())
    return refuse(
      'different_organisation',
      "the applicant's credit code is not the signed-in organisation's",
    );
  if (claimed.name !== undefined && normaliseName(claimed.name) !== normaliseName(identity.name))
    return refuse(
      'name_mismatch',
      "the applicant's name is not the signed-in organisation's registered name",
    );
  return { allowed: true, basis: identity.role };
}

const refuse = (reason: MayActRefusal, message: string): MayActDecision => ({
  allowed: false,
  reason,
  message,
});

/** The person behind the identity: who actually acted (for the case's timeline and the access log). */
export const actingPersonOf = (identity: ApplicantIdentity): VerifiedPerson =>
  identity.kind === 'person'
    ? { subject: identity.subject, name: identity.name, idNumber: identity.idNumber }
    : identity.actingPerson;

/** The applicant the identity is, on its own standing, in the shape an application names it. */
export const claimedApplicantOf = (identity: ApplicantIdentity): ClaimedApplicant =>
  identity.kind === 'person'
    ? { kind: 'person', idNumber: identity.idNumber, name: identity.name }
    : { kind: 'organisation', uscc: identity.uscc, name: identity.name };

/** Whose data an identity stands for, by its registry identifier alone (a person's ID number, an organisation's credit code). */
export const dataSubjectOf = (
  identity: ApplicantIdentity,
):
  | { readonly kind: 'person'; readonly idNumber: string }
  | { readonly kind: 'organisation'; readonly uscc: string } =>
  identity.kind === 'person'
    ? { kind: 'person', idNumber: identity.idNumber }
    : { kind: 'organisation', uscc: identity.uscc };

export const meetsAssurance = (identity: ApplicantIdentity, minimum: AssuranceLevel): boolean =>
  identity.assurance >= minimum;
