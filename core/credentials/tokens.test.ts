/**
 * Department tokens (compact JWS HS256, signed and checked with jose): only what
 * `signDepartmentToken` issues verifies. Found by testers (issue 10,
 * defect 9): a token with `exp = 1e300`, one issued in the future, and a signature re-spelt as
 * padded base64 were all accepted. Pure: no emulators.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  MAX_CLOCK_SKEW_SECONDS,
  MAX_TOKEN_LIFETIME_SECONDS,
  signDepartmentToken,
  verifyDepartmentToken,
} from './tokens.ts';

const SECRET = 'x'.repeat(64);
const CITY = 'changzhou';
const NOW = Date.UTC(2026, 11, 1, 8, 0, 0);
const nowSeconds = Math.floor(NOW / 1000);

const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const HEADER = seg({ alg: 'HS256', typ: 'JWT' });

/** A token signed with the right secret, carrying whatever claims a forger chose. */
function forge(claims: Record<string, unknown>, header = HEADER): string {
  const unsigned = `${header}.${seg(claims)}`;
  return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
}
const claims = (over: Record<string, unknown> = {}) => ({
  sub: 'market-regulation',
  city: CITY,
  kind: 'department',
  jti: 'abcdefghijkl',
  iat: nowSeconds - 10,
  exp: nowSeconds + 3600,
  ...over,
});

describe('verifyDepartmentToken', () => {
  it('accepts a token it issued, for its whole lifetime only', async () => {
    const { token, claims: issued } = await signDepartmentToken(SECRET, {
      departmentId: 'market-regulation',
      city: CITY,
      ttlSeconds: 30 * 24 * 3600,
      now: NOW,
    });
    expect(await verifyDepartmentToken(SECRET, token, CITY, NOW)).toEqual(issued);
    expect(await verifyDepartmentToken(SECRET, token, CITY, issued.exp * 1000 - 1)).toEqual(issued);
    expect(await verifyDepartmentToken(SECRET, token, CITY, issued.exp * 1000)).toBeNull();
    expect(await verifyDepartmentToken(SECRET, token, 'langfang', NOW)).toBeNull();
  });

  it('accepts the longest lifetime the issuing command allows', async () => {
    const token = forge(claims({ iat: nowSeconds, exp: nowSeconds + MAX_TOKEN_LIFETIME_SECONDS }));
    expect(await verifyDepartmentToken(SECRET, token, CITY, NOW)).not.toBeNull();
  });

  it('refuses a token whose expiry is absurdly far away (exp = 1e300)', async () => {
    expect(await verifyDepartmentToken(SECRET, forge(claims({ exp: 1e300 })), CITY, NOW)).toBeNull();
  });

  it('refuses a token living longer than the longest lifetime', async () => {
    const token = forge(claims({ iat: nowSeconds, exp: nowSeconds + MAX_TOKEN_LIFETIME_SECONDS + 1 }));
    expect(await verifyDepartmentToken(SECRET, token, CITY, NOW)).toBeNull();
  });

  it('refuses a token issued in the future, beyond a small clock skew', async () => {
    const ahead = (s: number) => forge(claims({ iat: nowSeconds + s, exp: nowSeconds + s + 3600 }));
    expect(await verifyDepartmentToken(SECRET, ahead(MAX_CLOCK_SKEW_SECONDS), CITY, NOW)).not.toBeNull();
    expect(await verifyDepartmentToken(SECRET, ahead(MAX_CLOCK_SKEW_SECONDS + 1), CITY, NOW)).toBeNull();
    expect(await verifyDepartmentToken(SECRET, ahead(365 * 24 * 3600), CITY, NOW)).toBeNull();
  });

  it('refuses a token without whole-second iat and exp, or expiring before it is issued', async () => {
    const { iat: _iat, ...noIat } = claims();
    for (const bad of [
      noIat,
      claims({ iat: '1' }),
      claims({ iat: nowSeconds - 0.5 }),
      claims({ exp: `${nowSeconds + 3600}` }),
      claims({ iat: -5 }),
      claims({ exp: nowSeconds - 20 }), // before iat
      claims({ exp: nowSeconds - 10 }), // equal to iat
    ])
      expect(await verifyDepartmentToken(SECRET, forge(bad), CITY, NOW), JSON.stringify(bad)).toBeNull();
  });

  it('refuses a signature re-encoded as padded or standard base64', async () => {
    const token = forge(claims());
    const [h, p, s] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(s, 'base64url');
    const padded = bytes.toString('base64'); // "…=" and possibly "+" or "/"
    expect(padded).not.toBe(s);
    expect(await verifyDepartmentToken(SECRET, `${h}.${p}.${padded}`, CITY, NOW)).toBeNull();
    expect(await verifyDepartmentToken(SECRET, `${h}.${p}.${s}=`, CITY, NOW)).toBeNull();
    expect(await verifyDepartmentToken(SECRET, token, CITY, NOW)).not.toBeNull();
  });

  it('refuses a signature with stray bits or junk that a lenient decoder would ignore', async () => {
    const token = forge(claims());
    const [h, p, s] = token.split('.') as [string, string, string];
    // 32 bytes → 43 characters; the last one carries 2 unused bits. Flipping them decodes the same.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1)!);
    const strayBits = `${s.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(strayBits, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    expect(await verifyDepartmentToken(SECRET, `${h}.${p}.${strayBits}`, CITY, NOW)).toBeNull();
    expect(
      await verifyDepartmentToken(SECRET, `${h}.${p}.${s.slice(0, 20)}!${s.slice(20)}`, CITY, NOW),
    ).toBeNull();
  });

  it('refuses a header or payload spelt in non-canonical base64', async () => {
    const c = claims();
    const p = Buffer.from(JSON.stringify(c)).toString('base64'); // may contain "=" "+" "/"
    const paddedPayload = p.endsWith('=') ? p : `${p}=`;
    const unsigned = `${HEADER}.${paddedPayload}`;
    const token = `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
    expect(await verifyDepartmentToken(SECRET, token, CITY, NOW)).toBeNull();
  });

  it('checks everything but the clock when asked to (revoking a token that may have expired)', async () => {
    const expired = forge(claims({ iat: nowSeconds - 7200, exp: nowSeconds - 3600 }));
    expect(await verifyDepartmentToken(SECRET, expired, CITY, NOW)).toBeNull();
    expect(await verifyDepartmentToken(SECRET, expired, CITY, null)).not.toBeNull();
    expect(await verifyDepartmentToken(SECRET, forge(claims({ exp: 1e300 })), CITY, null)).toBeNull();
  });
});

describe('signDepartmentToken', () => {
  it('issues a standard JWT (HS256) that any JOSE library verifies with the secret', async () => {
    const { token, claims: issued } = await signDepartmentToken(SECRET, {
      departmentId: 'market-regulation',
      city: CITY,
      ttlSeconds: 3600,
    });
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual(issued);
  });

  it('refuses to issue a token that verification would refuse', async () => {
    const sign = (ttlSeconds: number) =>
      signDepartmentToken(SECRET, { departmentId: 'x', city: CITY, ttlSeconds });
    await expect(sign(MAX_TOKEN_LIFETIME_SECONDS + 1)).rejects.toThrow(RangeError);
    await expect(sign(0)).rejects.toThrow(RangeError);
    await expect(sign(MAX_TOKEN_LIFETIME_SECONDS)).resolves.toMatchObject({ token: expect.any(String) });
  });
});

describe('verifyDepartmentToken refuses what it did not issue', () => {
  it('refuses a token signed with another secret', async () => {
    const { token } = await signDepartmentToken('y'.repeat(64), {
      departmentId: 'market-regulation',
      city: CITY,
      ttlSeconds: 3600,
      now: NOW,
    });
    expect(await verifyDepartmentToken(SECRET, token, CITY, NOW)).toBeNull();
  });

  it('refuses a header naming another algorithm (alg confusion), even correctly HMAC-ed', async () => {
    for (const alg of ['none', 'HS512', 'RS256', undefined])
      expect(
        await verifyDepartmentToken(SECRET, forge(claims(), seg({ alg, typ: 'JWT' })), CITY, NOW),
        String(alg),
      ).toBeNull();
    const unsigned = `${seg({ alg: 'none' })}.${seg(claims())}`;
    expect(await verifyDepartmentToken(SECRET, `${unsigned}.`, CITY, NOW)).toBeNull();
  });

  it('refuses claims that are not a department token', async () => {
    for (const bad of [
      claims({ kind: 'portal' }),
      claims({ kind: undefined }),
      claims({ sub: 42 }),
      claims({ jti: undefined }),
      claims({ city: undefined }),
    ])
      expect(await verifyDepartmentToken(SECRET, forge(bad), CITY, NOW), JSON.stringify(bad)).toBeNull();
  });

  it('refuses malformed tokens without throwing', async () => {
    const [h, p] = forge(claims()).split('.') as [string, string, string];
    const sigOf = (unsigned: string) => createHmac('sha256', SECRET).update(unsigned).digest('base64url');
    const notJson = Buffer.from('{not json').toString('base64url');
    for (const bad of [
      '',
      'a.b',
      'a.b.c.d',
      `${h}.${p}`,
      `${h}.${notJson}.${sigOf(`${h}.${notJson}`)}`,
      `${h}.${seg([1, 2])}.${sigOf(`${h}.${seg([1, 2])}`)}`,
      `${h}.${seg(null)}.${sigOf(`${h}.${seg(null)}`)}`,
      42 as unknown as string,
      undefined as unknown as string,
    ])
      expect(await verifyDepartmentToken(SECRET, bad, CITY, NOW), String(bad)).toBeNull();
  });

  it('verifies what it issues, for any department, city and lifetime (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
        fc.stringMatching(/^[a-z]{2,12}$/),
        fc.integer({ min: 1, max: MAX_TOKEN_LIFETIME_SECONDS }),
        async (departmentId, city, ttlSeconds) => {
          const { token, claims: issued } = await signDepartmentToken(SECRET, {
            departmentId,
            city,
            ttlSeconds,
            now: NOW,
          });
          expect(await verifyDepartmentToken(SECRET, token, city, NOW)).toEqual(issued);
          expect(issued).toMatchObject({
            sub: departmentId,
            city,
            kind: 'department',
            exp: issued.iat + ttlSeconds,
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses every token with one character changed (property)', async () => {
    const { token } = await signDepartmentToken(SECRET, {
      departmentId: 'market-regulation',
      city: CITY,
      ttlSeconds: 3600,
      now: NOW,
    });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/';
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (i, c) => {
        fc.pre(token[i] !== c);
        const changed = `${token.slice(0, i)}${c}${token.slice(i + 1)}`;
        // Flipping only the unused low bits of the last character decodes the same; canonical
        // decoding refuses that spelling too, so every change is refused.
        expect(await verifyDepartmentToken(SECRET, changed, CITY, NOW)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
