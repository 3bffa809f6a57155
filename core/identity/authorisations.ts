/**
 * 帮办代办, the use cases around recorded authorisations (the rules are in ./authorisation.ts):
 * the signed-in applicant grants a helper an authorisation, lists and revokes theirs; a
 * submission by someone who is not the applicant looks up the applicant's authorisations.
 *
 * Primary course of `grantMine` (POST /v1/me/authorisations):
 *   1. The body names the helper (a person by ID number, or an organisation by credit code, with
 *      the name), the scope (bundles of this city's catalog, optionally some of their services),
 *      until when, and optionally from when and the helper's least assurance level.
 *   2. The principal is the signed-in applicant itself (its registry identifier and verified
 *      name); for an organisation, only its legal representative may authorise (grantAuthorisation).
 *   3. Recorded under a random id; the answer shows the helper's identifier masked.
 * The principal is never named in the request: one can only authorise for oneself.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { NotFoundError, type Problem, ValidationError } from '../shared/errors.ts';
import { maskIdentifier } from '../shared/identifiers.ts';
import { type ApplicantIdentity, type ClaimedApplicant, claimedApplicantOf, mayActFor } from './applicant.ts';
import {
  type Authorisation,
  type AuthorisationState,
  authorisationState,
  grantAuthorisation,
  type Party,
  revokeAuthorisation,
} from './authorisation.ts';
import { crockfordBase32 } from './keyed-ids.ts';

/** Whose authorisations: an applicant by their registry identifier (the store keys it). */
export type PrincipalRef =
  | { readonly kind: 'person'; readonly idNumber: string }
  | { readonly kind: 'organisation'; readonly uscc: string };

export interface AuthorisationStore {
  /** Records a new authorisation (conditional: its id is new). */
  put(authorisation: Authorisation): Promise<void>;
  /** The principal's authorisations, any state, newest first. */
  listForPrincipal(principal: PrincipalRef): Promise<Authorisation[]>;
  get(principal: PrincipalRef, id: string): Promise<Authorisation | undefined>;
  /** Records a revocation, conditional on none recorded yet; false when one was. */
  saveRevocation(revoked: Authorisation): Promise<boolean>;
}

/** At most this many authorisations of one applicant are shown (and considered) at once. */
export const MAX_LISTED_AUTHORISATIONS = 100;

const principalOf = (identity: ApplicantIdentity): PrincipalRef =>
  identity.kind === 'person'
    ? { kind: 'person', idNumber: identity.idNumber }
    : { kind: 'organisation', uscc: identity.uscc };

const refOf = (claimed: ClaimedApplicant): PrincipalRef =>
  claimed.kind === 'person'
    ? { kind: 'person', idNumber: claimed.idNumber }
    : { kind: 'organisation', uscc: claimed.uscc };

export const newAuthorisationId = (): string => `a-${crockfordBase32(randomBytes(16)).toLowerCase()}`;

const PartyInput = /* @__PURE__ */ (() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('person'),
      idNumber: z.string().check(z.maxLength(30)),
      name: z.string().check(z.minLength(1), z.maxLength(50)),
    }),
    z.object({
      kind: z.literal('organisation'),
      uscc: z.string().check(z.maxLength(30)),
      name: z.string().check(z.minLength(1), z.maxLength(100)),
    }),
  ]))();

/** The body of POST /v1/me/authorisations. */
export const GrantAuthorisationBody = z
  .object({
    helper: PartyInput.check(
      z.describe(
        'Who may act for you: a person (ID number and name, e.g. a service-centre assistant or a relative) or an organisation (credit code and name, e.g. an intermediary), acting through its people.',
      ),
    ),
    scope: z
      .object({
        bundleIds: z
          .array(z.string().check(z.minLength(1), z.maxLength(100)))
          .check(z.minLength(1), z.maxLength(20)),
        serviceIds: z.optional(
          z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.minLength(1), z.maxLength(50)),
        ),
      })
      .check(z.describe('What for: these bundles, and (if given) only these of their services.')),
    expiresAt: z.iso
      .datetime({ offset: true })
      .check(z.describe('Until when; at most 366 days after it starts.')),
    validFrom: z.optional(z.iso.datetime({ offset: true })).check(z.describe('From when; default now.')),
    minAssurance: z
      .optional(z.union([z.literal(1), z.literal(2), z.literal(3)]))
      .check(
        z.describe("The least assurance level of the helper's sign-in; default 2 (real-name verified)."),
      ),
  })
  .check(
    z.describe(
      '帮办代办: the signed-in applicant authorises a helper (a person or an organisation) to apply for them, for some bundles, until a date.',
    ),
  );
export type GrantAuthorisationRequest = z.infer<typeof GrantAuthorisationBody>;

export interface AuthorisationDeps {
  readonly store: AuthorisationStore;
  /** The city's bundles and their services, to check the scope against. */
  readonly bundles: ReadonlyMap<string, { readonly services: readonly { readonly id: string }[] }>;
  readonly now: () => Date;
  readonly newId?: () => string;
}

export async function grantMine(
  deps: AuthorisationDeps,
  identity: ApplicantIdentity,
  body: GrantAuthorisationRequest,
): Promise<Authorisation> {
  const problems: Problem[] = [];
  body.scope.bundleIds.forEach((id, i) => {
    if (!deps.bundles.has(id))
      problems.push({ path: `/scope/bundleIds/${i}`, code: 'unknown_bundle', message: `no bundle "${id}"` });
  });
  const offered = new Set(
    body.scope.bundleIds.flatMap((b) => deps.bundles.get(b)?.services.map((s) => s.id) ?? []),
  );
  body.scope.serviceIds?.forEach((id, i) => {
    if (!offered.has(id))
      problems.push({
        path: `/scope/serviceIds/${i}`,
        code: 'unknown_service',
        message: `"${id}" is not a service of the bundles named`,
      });
  });
  if (problems.length) throw new ValidationError(problems);
  const principal = claimedApplicantOf(identity) as Party;
  const authorisation = grantAuthorisation(
    {
      id: (deps.newId ?? newAuthorisationId)(),
      principal,
      helper: body.helper as Party,
      scope: body.scope,
      expiresAt: body.expiresAt,
      ...(body.validFrom ? { validFrom: body.validFrom } : {}),
      ...(body.minAssurance ? { minAssurance: body.minAssurance } : {}),
    },
    { kind: 'principal', identity },
    deps.now(),
  );
  await deps.store.put(authorisation);
  return authorisation;
}

/** The signed-in applicant's authorisations (as principal), newest first. */
export async function listMine(
  deps: Pick<AuthorisationDeps, 'store'>,
  identity: ApplicantIdentity,
): Promise<Authorisation[]> {
  return (await deps.store.listForPrincipal(principalOf(identity))).slice(0, MAX_LISTED_AUTHORISATIONS);
}

/**
 * Revokes one of the signed-in applicant's authorisations. Anyone else's — or an unknown id — is
 * not found (404), never "forbidden": ids cannot be probed. Revoked twice is a ConflictError (409).
 */
export async function revokeMine(
  deps: Pick<AuthorisationDeps, 'store' | 'now'>,
  identity: ApplicantIdentity,
  id: string,
): Promise<Authorisation> {
  const found = await deps.store.get(principalOf(identity), id);
  if (!found || !mayActFor(identity, found.principal).allowed)
    throw new NotFoundError(`There is no authorisation "${id}" of yours.`);
  const revoked = revokeAuthorisation(found, { kind: 'identity', identity }, deps.now());
  if (!(await deps.store.saveRevocation(revoked)))
    return revokeAuthorisation(revoked, { kind: 'identity', identity }, deps.now()); // throws: already revoked
  return revoked;
}

/**
 * The authorisations a submission (or prefill) by `identity` for `claimed` may rest on: none when
 * the identity is the applicant on its own standing (no lookup then), otherwise the applicant's
 * recorded ones — mayActOnBehalf picks the one naming this helper, in force, in scope.
 */
export async function authorisationsFor(
  store: Pick<AuthorisationStore, 'listForPrincipal'>,
  identity: ApplicantIdentity,
  claimed: ClaimedApplicant,
): Promise<readonly Authorisation[]> {
  if (mayActFor(identity, claimed).allowed) return [];
  return (await store.listForPrincipal(refOf(claimed))).slice(0, MAX_LISTED_AUTHORISATIONS);
}

/** What the principal sees of an authorisation: the helper's identifier masked. */
export interface AuthorisationView {
  readonly id: string;
  readonly helper: { readonly kind: Party['kind']; readonly name: string; readonly identifier: string };
  readonly scope: Authorisation['scope'];
  readonly minAssurance: Authorisation['minAssurance'];
  readonly state: AuthorisationState;
  readonly grantedAt: string;
  readonly validFrom: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
}

export function authorisationView(a: Authorisation, now: Date): AuthorisationView {
  return {
    id: a.id,
    helper: {
      kind: a.helper.kind,
      name: a.helper.name,
      identifier: maskIdentifier(a.helper.kind === 'person' ? a.helper.idNumber : a.helper.uscc),
    },
    scope: a.scope,
    minAssurance: a.minAssurance,
    state: authorisationState(a, now),
    grantedAt: a.grantedAt,
    validFrom: a.validFrom,
    expiresAt: a.expiresAt,
    ...(a.revokedAt ? { revokedAt: a.revokedAt } : {}),
  };
}
