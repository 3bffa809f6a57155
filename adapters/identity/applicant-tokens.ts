/**
 * Applicant tokens: OpenID Connect access tokens (JWT) of the city's identity provider, verified
 * with `jose` against the provider's JWKS — signature (asymmetric algorithms only), issuer,
 * audience, expiry with a small clock tolerance, maximum age, optionally the JOSE `typ` — and then
 * mapped to the core's ApplicantIdentity, refusing a token below the assurance level asked for.
 *
 * Keys are fetched once per JWKS URL per process (module scope, like an SDK client): jose keeps
 * them, refetches at most once per cooldown when a token names an unknown `kid` (key rotation),
 * and after `cacheMaxAge` — so a warm Lambda does not fetch the JWKS per request.
 */
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import * as z from 'zod/mini';
import {
  type ApplicantIdentity,
  type ApplicantTokenRefusal,
  ApplicantTokenRefusedError,
  type AssuranceLevel,
} from '#core/identity/applicant.ts';
import { UnavailableError } from '#core/shared/errors.ts';
import { isValidIdNumber, isValidUscc } from '#core/shared/identifiers.ts';
import { type IdentityConfig, identityConfig } from '../config.ts';

/** Asymmetric JWS algorithms only: never `none`, never HS* (a public key must not become an HMAC secret). */
export const ALLOWED_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
] as const;

export interface VerifiedApplicantToken {
  readonly identity: ApplicantIdentity;
  /** The token's `jti`, when it has one (for the access log). */
  readonly tokenId?: string;
  /** The OAuth client (portal) the token was issued to, when the provider says (`client_id` / `azp`). */
  readonly clientId?: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** The `acr` value as the provider wrote it. */
  readonly acr: string;
}

export interface VerifyOptions {
  /** More than the configured least assurance, for a route that needs it (e.g. 3 for a property transfer). */
  readonly minAssurance?: AssuranceLevel;
}

export type ApplicantTokenVerifier = (
  token: string,
  options?: VerifyOptions,
) => Promise<VerifiedApplicantToken>;

const jwksByUrl = new Map<string, JWTVerifyGetKey>();

/** The process-wide key set of a JWKS URL. */
export function remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
  let keys = jwksByUrl.get(jwksUrl);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUrl), {
      timeoutDuration: 3_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    jwksByUrl.set(jwksUrl, keys);
  }
  return keys;
}

const OrganisationClaimSchema = z.object({
  uscc: z.string().check(z.refine(isValidUscc, 'not a valid unified social credit code')),
  name: z.string().check(z.minLength(1), z.maxLength(100)),
  role: z.enum(['legal_representative', 'authorised']),
});

/**
 * A verifier for one provider. `keys` replaces the remote JWKS (tests; a provider whose keys are
 * configured rather than published); `now` the clock.
 */
export function applicantTokenVerifier(
  config: IdentityConfig,
  deps: { readonly keys?: JWTVerifyGetKey; readonly now?: () => Date } = {},
): ApplicantTokenVerifier {
  const keys = deps.keys ?? remoteKeySet(config.jwksUrl);
  const names = config.claimNames;
  return async (token, options = {}) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: config.clockToleranceSeconds,
        maxTokenAge: config.maxTokenAgeSeconds,
        requiredClaims: ['sub', 'iat', 'exp'],
        ...(config.tokenType ? { typ: config.tokenType } : {}),
        ...(deps.now ? { currentDate: deps.now() } : {}),
      }));
    } catch (e) {
      throw refusalOf(e);
    }

    if (config.requiredScope) {
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes(config.requiredScope))
        throw new ApplicantTokenRefusedError(
          'insufficient_scope',
          `the token was not issued for scope "${config.requiredScope}"`,
        );
    }
    const acr = payload[names.assurance];
    const assurance = typeof acr === 'string' ? config.acrValues[acr] : undefined;
    if (typeof acr !== 'string' || assurance === undefined)
      throw new ApplicantTokenRefusedError(
        'insufficient_assurance',
        'the token states no known assurance level',
        {
          requiredAssurance: Math.max(config.minAssurance, options.minAssurance ?? 1) as AssuranceLevel,
        },
      );
    const required = Math.max(config.minAssurance, options.minAssurance ?? 1) as AssuranceLevel;
    if (assurance < required)
      throw new ApplicantTokenRefusedError(
        'insufficient_assurance',
        `the applicant signed in at assurance level ${assurance}; this needs level ${required}`,
        { requiredAssurance: required },
      );

    const identity = identityOf(payload, names, assurance);
    const clientId = payload.client_id ?? payload.azp;
    return {
      identity,
      ...(typeof payload.jti === 'string' ? { tokenId: payload.jti } : {}),
      ...(typeof clientId === 'string' ? { clientId } : {}),
      issuedAt: new Date((payload.iat as number) * 1000),
      expiresAt: new Date((payload.exp as number) * 1000),
      acr,
    };
  };
}

function identityOf(payload: JWTPayload, names: IdentityConfig['claimNames'], assurance: AssuranceLevel) {
  const subject = payload.sub as string;
  const name = payload[names.name];
  const idNumber = payload[names.idNumber];
  if (typeof name !== 'string' || name.length === 0 || typeof idNumber !== 'string')
    throw new ApplicantTokenRefusedError(
      'missing_identity_claims',
      `the token carries no verified name and ID number (claims "${names.name}", "${names.idNumber}")`,
    );
  if (!isValidIdNumber(idNumber))
    throw new ApplicantTokenRefusedError(
      'invalid_claims',
      "the token's ID number is not a valid resident ID number",
    );
  const person = { subject, name, idNumber };
  const org = payload[names.organisation];
  if (org === undefined) return { kind: 'person', ...person, assurance } satisfies ApplicantIdentity;
  const parsed = OrganisationClaimSchema.safeParse(org);
  if (!parsed.success)
    throw new ApplicantTokenRefusedError(
      'invalid_claims',
      `the token's "${names.organisation}" claim is not { uscc, name, role }`,
    );
  return {
    kind: 'organisation',
    subject,
    uscc: parsed.data.uscc,
    name: parsed.data.name,
    actingPerson: person,
    role: parsed.data.role,
    assurance,
  } satisfies ApplicantIdentity;
}

const CLAIM_REFUSALS: Record<string, ApplicantTokenRefusal> = {
  iss: 'wrong_issuer',
  aud: 'wrong_audience',
  nbf: 'token_not_yet_valid',
  iat: 'token_too_old',
  typ: 'wrong_token_type',
};

/** jose's errors as the core's refusals; the JWKS being unreachable is no refusal but a 503. */
function refusalOf(e: unknown): Error {
  const refuse = (reason: ApplicantTokenRefusal, message: string) =>
    new ApplicantTokenRefusedError(reason, message, { cause: e });
  // jose reports too old an `iat` (maxTokenAge) as JWTExpired too, naming the claim.
  if (e instanceof errors.JWTExpired)
    return e.claim === 'iat'
      ? refuse('token_too_old', 'the token was issued too long ago')
      : refuse('token_expired', 'the token has expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    // A future `iat` beyond the tolerance fails the same check as too old a token.
    const reason = CLAIM_REFUSALS[e.claim] ?? 'invalid_claims';
    return refuse(reason, `the token's "${e.claim}" claim is not accepted (${e.reason})`);
  }
  if (e instanceof errors.JOSEAlgNotAllowed)
    return refuse('algorithm_not_allowed', 'the token is not signed with an accepted asymmetric algorithm');
  if (e instanceof errors.JWSSignatureVerificationFailed)
    return refuse('bad_signature', "the token's signature is wrong");
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys)
    return refuse('unknown_key', 'the token is not signed with a key the identity provider publishes');
  if (
    e instanceof errors.JWSInvalid ||
    e instanceof errors.JWTInvalid ||
    e instanceof errors.JOSENotSupported
  )
    return refuse('malformed_token', 'the token is not a signed JWT');
  if (
    e instanceof errors.JWKSTimeout ||
    e instanceof errors.JWKSInvalid ||
    e instanceof errors.JOSEError ||
    e instanceof TypeError
  )
    return new UnavailableError("the identity provider's keys could not be fetched", { cause: e });
  return e instanceof Error ? e : new Error(String(e));
}

let defaultVerifier: ApplicantTokenVerifier | undefined;

/** Verifies with the process's configuration (IDP_* variables); the verifier is built once. */
export function verifyApplicantToken(
  token: string,
  options?: VerifyOptions,
): Promise<VerifiedApplicantToken> {
  defaultVerifier ??= applicantTokenVerifier(identityConfig());
  return defaultVerifier(token, options);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}

/**
 * The `WWW-Authenticate` value for a refused token (RFC 6750; RFC 9470 step-up for too low an
 * assurance: the client signs the user in again asking for `acr_values`).
 */
export function bearerChallenge(
  error: ApplicantTokenRefusedError | undefined,
  acrFor?: (l: AssuranceLevel) => string,
): string {
  if (!error) return 'Bearer realm="applicant"';
  if (error.reason === 'insufficient_assurance') {
    const acr = error.requiredAssurance && acrFor ? `, acr_values="${acrFor(error.requiredAssurance)}"` : '';
    return `Bearer realm="applicant", error="insufficient_user_authentication", error_description="${error.message.replace(/"/g, "'")}"${acr}`;
  }
  return `Bearer realm="applicant", error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`;
}
