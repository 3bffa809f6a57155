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

export function signDepartmentToken(
  secret: string,
  claims: { departmentId: string; city: string; ttlSeconds: number; now?: number },
): { token: string; claims: DepartmentClaims } {
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

/** The claims of a valid, unexpired token for `city`, or null. Never throws on bad input. */
export function verifyDepartmentToken(
  secret: string,
  token: string,
  city: string,
  now = Date.now(),
): DepartmentClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
    if (header.alg !== 'HS256') return null;
    const c = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Partial<DepartmentClaims>;
    if (c.kind !== 'department' || typeof c.sub !== 'string' || c.city !== city) return null;
    if (typeof c.exp !== 'number' || c.exp * 1000 <= now || typeof c.jti !== 'string') return null;
    return c as DepartmentClaims;
  } catch {
    return null;
  }
}

/** A new portal API key: random, prefixed so that leaked keys are easy to spot in scanners. */
export function newApiKey(): string {
  return `yjs_${randomBytes(24).toString('base64url')}`;
}
