/**
 * Department bearer tokens: compact JWS (HS256) with the department and city as claims. Signed
 * with the stack's secret (Secrets Manager in AWS, a generated local secret in `npm start`);
 * verified by the authorizer. Pure: node:crypto only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The department id of supervisors (电子监察): their token sees every department's supervision view. */
export const SUPERVISOR_ID = 'supervision';

export interface DepartmentClaims {
  readonly sub: string; // department id
  readonly city: string;
  readonly kind: 'department';
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The longest a token may live: what `npm run credentials -- issue-department --days` allows (366 days). */
export const MAX_TOKEN_LIFETIME_SECONDS = 366 * 24 * 3600;
/** How far a token's `iat` may be ahead of the verifier's clock (clocks of two machines differ a little). */
export const MAX_CLOCK_SKEW_SECONDS = 60;

export function signDepartmentToken(
  secret: string,
  claims: { departmentId: string; city: string; ttlSeconds: number; now?: number },
): { token: string; claims: DepartmentClaims } {
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
  const unsigned = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(body))}`;
  const sig = createHmac('sha256', secret).update(unsigned).digest('base64url');
  return { token: `${unsigned}.${sig}`, claims: body };
}

/**
 * The bytes of a canonical base64url segment (RFC 7515 §2: no padding, no other alphabet, no
 * stray bits), or null. Node's decoder is lenient — it accepts `=`, `+`, `/` and ignores junk —
 * so one token would otherwise have many spellings.
 */
function decodeSegment(segment: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return null;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : null;
}

const isWholeSeconds = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The claims of a valid, unexpired token for `city`, or null. Never throws on bad input.
 * Valid means: three canonical base64url segments, an HS256 signature by `secret`, whole-second
 * `iat` and `exp` with `iat < exp ≤ iat + MAX_TOKEN_LIFETIME_SECONDS`, and — at `now` — issued
 * (give or take MAX_CLOCK_SKEW_SECONDS) and not expired. `now: null` checks everything but the
 * clock (revoking a token that may already have expired).
 */
export function verifyDepartmentToken(
  secret: string,
  token: string,
  city: string,
  now: number | null = Date.now(),
): DepartmentClaims | null {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  const [header, payload, given] = [decodeSegment(h), decodeSegment(p), decodeSegment(s)];
  if (!header || !payload || !given) return null;
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const head = JSON.parse(header.toString('utf8')) as { alg?: string };
    if (head.alg !== 'HS256') return null;
    const c = JSON.parse(payload.toString('utf8')) as Partial<DepartmentClaims>;
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
