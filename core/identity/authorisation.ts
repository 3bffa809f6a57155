/**
 * 帮办代办: a helper — a service-centre assistant for an elderly or disabled applicant, a relative,
 * an intermediary (中介机构) — acts for an applicant under a recorded authorisation: what for (the
 * bundles, optionally only some of their services), until when, revocable, and who recorded it
 * (the applicant signed in themself, or a counter (窗口) officer who checked the applicant and a
 * signed power of attorney in person). Pure.
 *
 * Primary course of `mayActOnBehalf`:
 *   1. The identity may act on its own standing (core/identity/applicant.ts `mayActFor`) → allowed.
 *   2. Otherwise, among the authorisations recorded for the claimed applicant, one names this
 *      identity as helper, is in force now, covers the purpose and the identity's assurance → allowed,
 *      recording the authorisation.
 *   3. Otherwise refused, with the most telling reason (revoked, expired, out of scope, none).
 */
import * as z from 'zod/mini';
import { ConflictError, ForbiddenError, type Problem, ValidationError } from '#core/shared/errors.ts';
import { isValidIdNumber, isValidUscc } from '#core/shared/identifiers.ts';
import {
  type ActingBasis,
  type ApplicantIdentity,
  type AssuranceLevel,
  actingPersonOf,
  type ClaimedApplicant,
  mayActFor,
  normaliseName,
  type VerifiedPerson,
} from './applicant.ts';

/** The longest an authorisation may run: a year, then it is recorded again. */
export const MAX_AUTHORISATION_DAYS = 366;

const idNumber = /* @__PURE__ */ (() =>
  z.string().check(z.refine(isValidIdNumber, 'not a valid resident ID number')))();
const uscc = /* @__PURE__ */ (() =>
  z.string().check(z.refine(isValidUscc, 'not a valid unified social credit code')))();
const PartySchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('person'),
      idNumber,
      name: z.string().check(z.minLength(1), z.maxLength(50)),
    }),
    z.object({
      kind: z.literal('organisation'),
      uscc,
      name: z.string().check(z.minLength(1), z.maxLength(100)),
    }),
  ]))();
/** The applicant who authorises, or the helper: a person, or an organisation (acting through its people). */
export type Party = z.infer<typeof PartySchema>;

const ScopeSchema = /* @__PURE__ */ (() =>
  z.object({
    bundleIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    /** Only these services of those bundles; absent: all of them. */
    serviceIds: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  }))();
export type AuthorisationScope = z.infer<typeof ScopeSchema>;

const GrantedBySchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion('kind', [
    /** The applicant, signed in (their token's subject; for an organisation, its legal representative). */
    z.object({ kind: z.literal('principal'), subject: z.string().check(z.minLength(1)) }),
    /** A counter portal registered to verify applicants in person; the officer and the signed 授权委托书. */
    z.object({
      kind: z.literal('counter'),
      portalId: z.string().check(z.minLength(1)),
      officer: z.string().check(z.minLength(1)),
      evidence: z.string().check(z.minLength(1)),
    }),
  ]))();
export type GrantedBy = z.infer<typeof GrantedBySchema>;

const RevokedBySchema = /* @__PURE__ */ (() =>
  z.object({
    kind: z.enum(['principal', 'helper', 'counter']),
    id: z.string().check(z.minLength(1)),
  }))();

const assurance = /* @__PURE__ */ (() => z.union([z.literal(1), z.literal(2), z.literal(3)]))();
const instant = /* @__PURE__ */ (() => z.iso.datetime({ offset: true }))();

/** As stored: parse it again when reading it back. */
export const AuthorisationSchema = /* @__PURE__ */ (() =>
  z.object({
    id: z.string().check(z.minLength(1)),
    principal: PartySchema,
    helper: PartySchema,
    scope: ScopeSchema,
    /** The least assurance the helper's sign-in must have (default 2, real-name verified). */
    minAssurance: assurance,
    grantedBy: GrantedBySchema,
    grantedAt: instant,
    validFrom: instant,
    expiresAt: instant,
    revokedAt: z.optional(instant),
    revokedBy: z.optional(RevokedBySchema),
  }))();
export type Authorisation = z.infer<typeof AuthorisationSchema>;

export interface AuthorisationRequest {
  readonly id: string;
  readonly principal: Party;
  readonly helper: Party;
  readonly scope: AuthorisationScope;
  readonly expiresAt: string;
  readonly validFrom?: string;
  readonly minAssurance?: AssuranceLevel;
}

/**
 * Records an authorisation, checking that whoever grants it may: the principal themself (for an
 * organisation, its legal representative — someone merely authorised cannot pass it on), or a
 * counter registered to verify applicants in person. Throws ValidationError listing every problem.
 */
export function grantAuthorisation(
  request: AuthorisationRequest,
  grantor:
    | { readonly kind: 'principal'; readonly identity: ApplicantIdentity }
    | Extract<GrantedBy, { kind: 'counter' }>,
  now: Date,
): Authorisation {
  const problems: Problem[] = [];
  const add = (path: string, code: string, message: string) => problems.push({ path, code, message });
  const parsed = z
    .object({ principal: PartySchema, helper: PartySchema, scope: ScopeSchema })
    .safeParse(request);
  if (!parsed.success)
    for (const i of parsed.error.issues) add(`/${i.path.join('/')}`, 'invalid_value', i.message);
  if (sameParty(request.principal, request.helper))
    add('/helper', 'helper_is_principal', 'an applicant does not need an authorisation to act for themself');
  const validFrom = request.validFrom ? new Date(request.validFrom) : now;
  const expiresAt = new Date(request.expiresAt);
  if (Number.isNaN(validFrom.getTime())) add('/validFrom', 'malformed', 'not a date-time');
  if (Number.isNaN(expiresAt.getTime())) add('/expiresAt', 'malformed', 'not a date-time');
  else if (expiresAt <= validFrom || expiresAt <= now)
    add('/expiresAt', 'expires_before_start', 'the authorisation must end after it starts, in the future');
  else if (expiresAt.getTime() - validFrom.getTime() > MAX_AUTHORISATION_DAYS * 86_400_000)
    add('/expiresAt', 'too_long', `an authorisation runs at most ${MAX_AUTHORISATION_DAYS} days`);

  let grantedBy: GrantedBy;
  if (grantor.kind === 'principal') {
    const own = mayActFor(grantor.identity, request.principal);
    if (!own.allowed || own.basis === 'authorised')
      throw new ForbiddenError(
        own.allowed
          ? "only the organisation's legal representative may authorise a helper"
          : `the signed-in applicant is not the principal: ${own.message}`,
      );
    grantedBy = { kind: 'principal', subject: grantor.identity.subject };
  } else {
    grantedBy = grantor;
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    id: request.id,
    principal: request.principal,
    helper: request.helper,
    scope: request.scope,
    minAssurance: request.minAssurance ?? 2,
    grantedBy,
    grantedAt: now.toISOString(),
    validFrom: validFrom.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
}

/**
 * Ends an authorisation now. The principal may revoke it (for an organisation: a person acting for
 * it), the helper may give it up, a counter may record a revocation handed in on paper.
 */
export function revokeAuthorisation(
  authorisation: Authorisation,
  by:
    | { readonly kind: 'identity'; readonly identity: ApplicantIdentity }
    | { readonly kind: 'counter'; readonly portalId: string },
  now: Date,
): Authorisation {
  if (authorisation.revokedAt)
    throw new ConflictError(`authorisation ${authorisation.id} is already revoked`);
  let revokedBy: Authorisation['revokedBy'];
  if (by.kind === 'counter') revokedBy = { kind: 'counter', id: by.portalId };
  else if (mayActFor(by.identity, authorisation.principal).allowed)
    revokedBy = { kind: 'principal', id: by.identity.subject };
  else if (isHelper(by.identity, authorisation.helper))
    revokedBy = { kind: 'helper', id: by.identity.subject };
  else
    throw new ForbiddenError('only the applicant who authorised, or the helper, may revoke an authorisation');
  return { ...authorisation, revokedAt: now.toISOString(), revokedBy };
}

export type AuthorisationState = 'in_force' | 'not_yet_valid' | 'expired' | 'revoked';

export function authorisationState(a: Authorisation, now: Date): AuthorisationState {
  if (a.revokedAt && new Date(a.revokedAt) <= now) return 'revoked';
  if (now < new Date(a.validFrom)) return 'not_yet_valid';
  if (now >= new Date(a.expiresAt)) return 'expired';
  return 'in_force';
}

/** What the helper means to do: apply for (or prefill, follow) these services of one bundle. */
export interface Purpose {
  readonly bundleId: string;
  readonly serviceIds: readonly string[];
}

export function covers(scope: AuthorisationScope, purpose: Purpose): boolean {
  if (!scope.bundleIds.includes(purpose.bundleId)) return false;
  const allowed = scope.serviceIds;
  return allowed === undefined || purpose.serviceIds.every((s) => allowed.includes(s));
}

/** Who acted, for whom, on what grounds: what the case's timeline and the access log record. */
export interface ActingRecord {
  readonly actor: VerifiedPerson & {
    readonly organisation?: { readonly uscc: string; readonly role: 'legal_representative' | 'authorised' };
  };
  readonly principal: ClaimedApplicant;
  readonly basis: ActingBasis | 'authorisation';
  readonly authorisationId?: string;
}

export type OnBehalfRefusal =
  | 'different_person'
  | 'different_organisation'
  | 'person_for_organisation'
  | 'organisation_for_person'
  | 'name_mismatch'
  | 'no_authorisation'
  | 'authorisation_revoked'
  | 'authorisation_expired'
  | 'authorisation_not_yet_valid'
  | 'outside_authorisation_scope'
  | 'insufficient_assurance';

export type OnBehalfDecision =
  | ({ readonly allowed: true } & ActingRecord)
  | { readonly allowed: false; readonly reason: OnBehalfRefusal; readonly message: string };

/** Most telling first: when several authorisations match but none is usable, say the best reason. */
const REFUSAL_RANK: readonly OnBehalfRefusal[] = [
  'insufficient_assurance',
  'outside_authorisation_scope',
  'authorisation_not_yet_valid',
  'authorisation_expired',
  'authorisation_revoked',
];

const MESSAGES: Record<OnBehalfRefusal, string> = {
  different_person:
    "the applicant's ID number is not the signed-in person's, and no authorisation says otherwise",
  different_organisation:
    "the applicant's credit code is not the signed-in organisation's, and no authorisation says otherwise",
  person_for_organisation: "a person's token cannot act for an organisation without its authorisation",
  organisation_for_person: "an organisation's token cannot act for a person without their authorisation",
  name_mismatch: "the applicant's name is not the one on record",
  no_authorisation: 'no authorisation from the applicant names the signed-in helper',
  authorisation_revoked: "the applicant's authorisation of this helper has been revoked",
  authorisation_expired: "the applicant's authorisation of this helper has expired",
  authorisation_not_yet_valid: "the applicant's authorisation of this helper is not yet in force",
  outside_authorisation_scope: "the applicant's authorisation does not cover this bundle or these services",
  insufficient_assurance: 'the authorisation requires the helper to sign in at a higher assurance level',
};

/**
 * Whether `identity` may act as `claimed` for `purpose`, on its own standing or under one of the
 * `authorisations` (those recorded for the claimed applicant; others are ignored).
 */
export function mayActOnBehalf(
  identity: ApplicantIdentity,
  claimed: ClaimedApplicant,
  context: {
    readonly purpose: Purpose;
    readonly authorisations: readonly Authorisation[];
    readonly now: Date;
  },
): OnBehalfDecision {
  const actor = actorOf(identity);
  const own = mayActFor(identity, claimed);
  if (own.allowed) return { allowed: true, actor, principal: claimed, basis: own.basis };
  // A name that disagrees with the identity's own is no reason to refuse a helper: only the name on
  // the authorisation counts then.
  const candidates = context.authorisations.filter(
    (a) => isPrincipal(a.principal, claimed) && isHelper(identity, a.helper),
  );
  if (candidates.length === 0) {
    const reason: OnBehalfRefusal = own.reason === 'name_mismatch' ? 'name_mismatch' : own.reason;
    return { allowed: false, reason, message: MESSAGES[reason] };
  }
  const reasons: OnBehalfRefusal[] = [];
  for (const a of candidates) {
    if (claimed.name !== undefined && normaliseName(claimed.name) !== normaliseName(a.principal.name)) {
      reasons.push('name_mismatch');
      continue;
    }
    const state = authorisationState(a, context.now);
    if (state !== 'in_force') {
      reasons.push(
        state === 'revoked'
          ? 'authorisation_revoked'
          : state === 'expired'
            ? 'authorisation_expired'
            : 'authorisation_not_yet_valid',
      );
      continue;
    }
    if (!covers(a.scope, context.purpose)) {
      reasons.push('outside_authorisation_scope');
      continue;
    }
    if (identity.assurance < a.minAssurance) {
      reasons.push('insufficient_assurance');
      continue;
    }
    return { allowed: true, actor, principal: claimed, basis: 'authorisation', authorisationId: a.id };
  }
  const reason =
    [...REFUSAL_RANK, 'name_mismatch' as const].find((r) => reasons.includes(r)) ?? 'no_authorisation';
  return { allowed: false, reason, message: MESSAGES[reason] };
}

function actorOf(identity: ApplicantIdentity): ActingRecord['actor'] {
  const person = actingPersonOf(identity);
  return identity.kind === 'organisation'
    ? { ...person, organisation: { uscc: identity.uscc, role: identity.role } }
    : person;
}

const upper = (v: string) => v.trim().toUpperCase();

function sameParty(a: Party, b: Party): boolean {
  if (a.kind === 'person' && b.kind === 'person') return upper(a.idNumber) === upper(b.idNumber);
  if (a.kind === 'organisation' && b.kind === 'organisation') return upper(a.uscc) === upper(b.uscc);
  return false;
}

function isPrincipal(principal: Party, claimed: ClaimedApplicant): boolean {
  if (principal.kind === 'person' && claimed.kind === 'person')
    return upper(principal.idNumber) === upper(claimed.idNumber);
  if (principal.kind === 'organisation' && claimed.kind === 'organisation')
    return upper(principal.uscc) === upper(claimed.uscc);
  return false;
}

/** A person helper acts signed in as themself; an organisation helper through any person acting for it. */
function isHelper(identity: ApplicantIdentity, helper: Party): boolean {
  if (helper.kind === 'person')
    return identity.kind === 'person' && upper(identity.idNumber) === upper(helper.idNumber);
  return identity.kind === 'organisation' && upper(identity.uscc) === upper(helper.uscc);
}
