/**
 * Department bearer tokens: compact JWS (HS256, a JWT) with the department and city as claims,
 * signed and checked with `jose` (the library that verifies applicants' tokens too), under the
 * stack's secret (Secrets Manager in AWS, a generated local secret in `npm start`); verified by
 * the authorizer. The platform's own rules stay here: one spelling per token (canonical
 * base64url), whole-second `iat` and `exp`, a bounded lifetime and a small clock skew.
 * Pure: jose and node:crypto (randomness) only.
 */
import { randomBytes } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';

/** The department id of supervisors (电子监察): their token sees every department's supervision view. */
export const SUPERVISOR_ID = 'supervision';

/**
 * The id of 12345 hotline operators: a token for it (signed as a department's) makes the caller
 * kind `hotline`, which files inquiries on behalf of the applicant who called — never a department.
 */
export const HOTLINE_ID = 'hotline-12345';

export interface DepartmentClaims {
  readonly sub: string; // department id
  readonly city: string;
  readonly kind: 'department';
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** The longest a token may live: what `npm run credentials -- issue-department --days` allows (366 days). */
export const MAX_TOKEN_LIFETIME_SECONDS = 366 * 24 * 3600;
/** How far a token's `iat` may be ahead of the verifier's clock (clocks of two machines differ a little). */
export const MAX_CLOCK_SKEW_SECONDS = 60;

export async function signDepartmentToken(
  secret: string,
  claims: { departmentId: string; city: string; ttlSeconds: number; now?: number },
): Promise<{ token: string; claims: DepartmentClaims }> {
  if (
    !Number.isInteger(claims.ttlSeconds) ||
    claims.ttlSeconds < 1 ||
    claims.ttlSeconds > MAX_TOKEN_LIFETIME_SECONDS
  )
    throw new RangeError(`A token lives from 1 to ${MAX_TOKEN_LIFETIME_SECONDS} s.`);
  const iat = Math.floor((claims.now ?? Date.now()) / 1000);
  const body: DepartmentClaims = {
    sub: claims.departmentId,
    city: claims.city,
    kind: 'department',
    jti: randomBytes(12).toString('base64url'),
    iat,
    exp: iat + claims.ttlSeconds,
  };
  const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(body)))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(keyOf(secret));
  return { token, claims: body };
}

/**
 * Whether a segment is canonical base64url (RFC 7515 §2: no padding, no other alphabet, no stray
 * bits). Decoders are lenient — Node's accepts `=`, `+`, `/` and ignores junk — so one token would
 * otherwise have many spellings (one revocation list entry, many working copies).
 */
function isCanonicalSegment(segment: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

const isWholeSeconds = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The claims of a valid, unexpired token for `city`, or null. Never throws on bad input.
 * Valid means: three canonical base64url segments; an HS256 signature by `secret` (checked by
 * jose, which allows no other algorithm here); whole-second `iat` and `exp` with
 * `iat < exp ≤ iat + MAX_TOKEN_LIFETIME_SECONDS`; and — at `now` — issued (give or take
 * MAX_CLOCK_SKEW_SECONDS) and not expired. `now: null` checks everything but the clock (revoking a
 * token that may already have expired).
 */
export async function verifyDepartmentToken(
  secret: string,
  token: string,
  city: string,
  now: number | null = Date.now(),
): Promise<DepartmentClaims | null> {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every(isCanonicalSegment)) return null;
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, keyOf(secret), { algorithms: ['HS256'] }));
  } catch {
    return null; // bad signature, another algorithm, a malformed header: jose says which; the caller needs only "no"
  }
  try {
    const c = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(payload),
    ) as Partial<DepartmentClaims>;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return null;
    if (c.kind !== 'department' || typeof c.sub !== 'string' || c.city !== city) return null;
    if (typeof c.jti !== 'string' || !isWholeSeconds(c.iat) || !isWholeSeconds(c.exp)) return null;
    if (c.exp <= c.iat || c.exp - c.iat > MAX_TOKEN_LIFETIME_SECONDS) return null;
    if (now !== null && (c.exp * 1000 <= now || c.iat * 1000 > now + MAX_CLOCK_SKEW_SECONDS * 1000))
      return null;
    return c as DepartmentClaims;
  } catch {
    return null;
  }
}

/** A new portal API key: random, prefixed so that leaked keys are easy to spot in scanners. */
export function newApiKey(): string {
  return `yjs_${randomBytes(24).toString('base64url')}`;
}
