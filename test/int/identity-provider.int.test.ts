/**
 * The local 统一身份认证 and the API's verifier together, over real HTTP: every demo applicant signs
 * in through the authorization code flow with PKCE (the provider's own sign-in page and form), the
 * access token verifies with adapters/identity/applicant-tokens.ts against the provider's JWKS, and
 * every kind of bad token is refused with its reason. Needs nothing of the rest of the local stack.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApplicantTokenVerifier,
  applicantTokenVerifier,
  bearerChallenge,
  bearerToken,
  remoteKeySet,
} from '#adapters/identity/applicant-tokens.ts';
import type { IdentityConfig } from '#adapters/identity/config.ts';
import {
  type ApplicantTokenRefusal,
  ApplicantTokenRefusedError,
  acrFor,
  claimedApplicantOf,
  mayActFor,
} from '#core/identity/applicant.ts';
import { applicantCredentials, identityProviderCredential } from '#local/identity/credentials.ts';
import { DEMO_APPLICANTS } from '#local/identity/demo-applicants.ts';
import { type IdentityProvider, startIdentityProvider } from '#local/identity/provider.ts';
import { signInWithPkce } from '#local/identity/token-client.ts';
import { SEEDED_ENTERPRISES, SEEDED_PERSONS } from '#local/setup/seed-shared-data.ts';

let idp: IdentityProvider;
let otherCity: IdentityProvider;
let dataDir: string;
let verify: ApplicantTokenVerifier;
const requests: string[] = [];
const tokens = new Map<string, string>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'idp-'));
  idp = await startIdentityProvider({
    city: 'changzhou',
    dataDir,
    clients: [
      {
        clientId: 'third-party-app',
        name: '第三方政务小程序',
        redirectUris: ['/signed-in'],
        firstParty: false,
      },
    ],
    onRequest: (method, path) => requests.push(`${method} ${path}`),
  });
  otherCity = await startIdentityProvider({ city: 'langfang' });
  verify = applicantTokenVerifier(idp.verification);
  for (const a of DEMO_APPLICANTS) tokens.set(a.id, await idp.tokenFor(a.id));
});

afterAll(async () => {
  await idp?.stop();
  await otherCity?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const token = (id: string) => tokens.get(id)!;

async function refusal(promise: Promise<unknown>): Promise<ApplicantTokenRefusal> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApplicantTokenRefusedError) return e.reason;
    throw e;
  }
  throw new Error('the token was accepted');
}

/** The provider's signing key, as kept in its data directory (to forge tokens the JWKS would verify). */
async function providerKey() {
  const keys = JSON.parse(readFileSync(join(dataDir, 'identity-provider-keys.json'), 'utf8')) as {
    signing: JWK;
  };
  return { key: await importJWK(keys.signing, 'ES256'), kid: keys.signing.kid! };
}

async function forge(claims: Record<string, unknown>, over: { kid?: string } = {}) {
  const { key, kid } = await providerKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: idp.issuer,
    aud: idp.audience,
    sub: 'u-forged',
    iat: now,
    exp: now + 600,
    scope: 'applicant',
    acr: acrFor(2),
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: over.kid ?? kid })
    .sign(key);
}

describe('signing in at the local identity provider', () => {
  it('gives every demo applicant a token that verifies as the seeded person or enterprise', async () => {
    for (const a of DEMO_APPLICANTS) {
      const { identity } = await verify(token(a.id));
      const seededPerson = SEEDED_PERSONS.find((p) => p.idNumber === a.person.idNumber);
      expect(seededPerson, a.id).toBeDefined();
      if (a.kind === 'person') {
        expect(identity).toMatchObject({
          kind: 'person',
          idNumber: seededPerson!.idNumber,
          name: seededPerson!.name,
        });
      } else {
        const enterprise = SEEDED_ENTERPRISES.find((e) => e.uscc === a.organisation?.uscc);
        expect(enterprise, a.id).toBeDefined();
        expect(identity).toMatchObject({
          kind: 'organisation',
          uscc: enterprise!.uscc,
          name: enterprise!.name,
          actingPerson: { idNumber: a.person.idNumber, name: a.person.name },
          role: a.organisation!.role,
        });
        if (identity.kind === 'organisation' && identity.role === 'legal_representative')
          expect(enterprise!.record.legalRepresentativeIdNumber).toBe(a.person.idNumber);
      }
      expect(mayActFor(identity, claimedApplicantOf(identity)).allowed).toBe(true);
      // The subject is a pseudonym: not the ID number, nothing of it.
      expect(identity.subject).not.toContain(a.person.idNumber.slice(6, 14));
    }
    expect(DEMO_APPLICANTS.filter((a) => a.kind === 'person').length).toBeGreaterThanOrEqual(2);
    expect(DEMO_APPLICANTS.filter((a) => a.kind === 'organisation').length).toBeGreaterThanOrEqual(2);
  });

  it('issues RFC 9068 access tokens: ES256, at+jwt, for the API audience, with the API scope', () => {
    const t = token('chen-jing');
    expect(decodeProtectedHeader(t)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(decodeJwt(t)).toMatchObject({
      iss: idp.issuer,
      aud: 'urn:yijianshi:changzhou:api',
      scope: 'applicant',
      client_id: 'yijianshi-portal',
      acr: 'urn:yijianshi:loa:2',
    });
  });

  it('gives the same applicant the same subject every time, and another applicant another', async () => {
    const again = await verify(await idp.tokenFor('chen-jing'));
    expect(again.identity.subject).toBe((await verify(token('chen-jing'))).identity.subject);
    expect(again.identity.subject).not.toBe((await verify(token('yunhe-digital'))).identity.subject);
  });

  it('signs in with face verification at assurance level 3 when asked', async () => {
    const face = await verify(await idp.tokenFor('liu-yang', { assurance: 3 }), { minAssurance: 3 });
    expect(face.identity.assurance).toBe(3);
    expect(face.acr).toBe('urn:yijianshi:loa:3');
  });

  it('shows a sign-in page in Chinese, labelled for assistive technology, offering every demo applicant', async () => {
    const r = await fetch(
      `${idp.issuer}/auth?${new URLSearchParams({
        client_id: idp.portalClientId,
        response_type: 'code',
        redirect_uri: idp.redirectUri,
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    expect(r.status).toBeGreaterThanOrEqual(300);
    const page = await fetch(new URL(r.headers.get('location')!, idp.issuer), {
      headers: {
        cookie: r.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; '),
      },
    });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<legend>选择申请人</legend>');
    for (const a of DEMO_APPLICANTS) {
      const input = new RegExp(
        `<label for="(applicant-\\d+)"><input type="radio" id="\\1" name="applicant" value="${a.id}"`,
      );
      expect(html, a.id).toMatch(input);
    }
  });

  it('asks a client that is not first-party for consent on a page, and issues the token once given', async () => {
    const result = await signInWithPkce({
      issuer: idp.issuer,
      clientId: 'third-party-app',
      redirectUri: `${idp.issuer}/signed-in`,
      resource: idp.audience,
      applicantId: 'zhou-ting',
    });
    expect((await verify(result.accessToken)).identity).toMatchObject({ kind: 'person', name: '周婷' });
    expect(requests.some((r) => /^POST \/interaction\/[^/]+\/confirm$/.test(r))).toBe(true);
  });

  it('requires PKCE with S256: no challenge, or a plain one, is refused', async () => {
    const withoutS256: Record<string, string>[] = [
      {},
      { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' },
    ];
    for (const pkce of withoutS256) {
      const r = await fetch(
        `${idp.issuer}/auth?${new URLSearchParams({
          client_id: idp.portalClientId,
          response_type: 'code',
          redirect_uri: idp.redirectUri,
          scope: 'openid',
          ...pkce,
        })}`,
        { redirect: 'manual' },
      );
      const location = new URL(r.headers.get('location') ?? '', idp.issuer);
      expect(location.pathname, JSON.stringify(pkce)).toBe('/signed-in');
      expect(location.searchParams.get('error')).toBe('invalid_request');
    }
  });

  it('writes every demo applicant with a ready token in the shape of the API contract', async () => {
    const creds = await applicantCredentials(idp);
    expect(creds.map((c) => c.id)).toEqual(DEMO_APPLICANTS.map((a) => a.id));
    for (const c of creds) {
      const { identity } = await verify(c.token);
      if (c.kind === 'person')
        expect(identity).toMatchObject({ kind: 'person', idNumber: c.idNumber, name: c.name });
      else expect(identity).toMatchObject({ kind: 'organisation', uscc: c.uscc, name: c.name });
    }
    expect(identityProviderCredential(idp)).toEqual({
      issuer: idp.issuer,
      jwksUri: `${idp.issuer}/jwks`,
      audience: 'urn:yijianshi:changzhou:api',
      clientId: 'yijianshi-portal',
      redirectUri: `${idp.issuer}/signed-in`,
    });
  });

  it('keeps its signing key in the data directory, readable by its owner only', () => {
    expect(statSync(join(dataDir, 'identity-provider-keys.json')).mode & 0o777).toBe(0o600);
  });
});

describe('verifying applicant tokens', () => {
  const withConfig = (over: Partial<IdentityConfig>) =>
    applicantTokenVerifier({ ...idp.verification, ...over });

  it('refuses an expired token', async () => {
    const t = token('chen-jing');
    const { exp } = decodeJwt(t);
    const late = applicantTokenVerifier(idp.verification, { now: () => new Date((exp! + 31) * 1000) });
    expect(await refusal(late(t))).toBe('token_expired');
    const justInTolerance = applicantTokenVerifier(idp.verification, {
      now: () => new Date((exp! + 29) * 1000),
    });
    await expect(justInTolerance(t)).resolves.toBeDefined();
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(verify(await forge({ name: '陈静', iat: now - 120, exp: now - 60 })))).toBe(
      'token_expired',
    );
  });

  it('refuses a token older than the maximum age, whatever its expiry', async () => {
    const t = token('chen-jing');
    const { iat } = decodeJwt(t);
    const strict = applicantTokenVerifier(
      { ...idp.verification, maxTokenAgeSeconds: 60 },
      { now: () => new Date((iat! + 120) * 1000) },
    );
    expect(await refusal(strict(t))).toBe('token_too_old');
  });

  it('refuses a token for another audience: another API, or the ID token', async () => {
    expect(await refusal(withConfig({ audience: 'urn:yijianshi:langfang:api' })(token('chen-jing')))).toBe(
      'wrong_audience',
    );
    const { idToken } = await signInWithPkce({
      issuer: idp.issuer,
      clientId: idp.portalClientId,
      redirectUri: idp.redirectUri,
      resource: idp.audience,
      applicantId: 'chen-jing',
    });
    expect(idToken).toBeDefined();
    expect(decodeJwt(idToken!)).toMatchObject({ id_number: expect.any(String), aud: idp.portalClientId });
    expect(await refusal(withConfig({ tokenType: undefined })(idToken!))).toBe('wrong_audience');
  });

  it('refuses a token of another issuer: its keys are not the configured JWKS, its iss not the configured issuer', async () => {
    const foreign = await otherCity.tokenFor('chen-jing');
    expect(await refusal(verify(foreign))).toBe('unknown_key');
    expect(await refusal(withConfig({ issuer: otherCity.issuer })(token('chen-jing')))).toBe('wrong_issuer');
  });

  it('refuses a tampered payload or signature', async () => {
    const [h, p, s] = token('liu-yang').split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const chen = DEMO_APPLICANTS.find((a) => a.id === 'chen-jing')!;
    const swapped = Buffer.from(JSON.stringify({ ...claims, id_number: chen.person.idNumber })).toString(
      'base64url',
    );
    expect(await refusal(verify(`${h}.${swapped}.${s}`))).toBe('bad_signature');
    const sig = Buffer.from(s, 'base64url');
    sig[10]! ^= 0xff;
    expect(await refusal(verify(`${h}.${p}.${sig.toString('base64url')}`))).toBe('bad_signature');
  });

  it("refuses a token signed by another key under the provider's key id", async () => {
    const { kid } = await providerKey();
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ ...decodeJwt(token('chen-jing')), iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .sign(privateKey);
    expect(await refusal(verify(forged))).toBe('bad_signature');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const claims = Buffer.from(JSON.stringify(decodeJwt(token('chen-jing')))).toString('base64url');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    expect(await refusal(verify(`${header}.${claims}.`))).toBe('algorithm_not_allowed');
  });

  it('refuses HS256 signed with the published public key as the secret', async () => {
    const jwks = (await (await fetch(idp.jwksUri)).json()) as { keys: JWK[] };
    const publicJwk = jwks.keys[0]!;
    expect(publicJwk.d).toBeUndefined();
    const pem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(publicJwk))]) {
      const forged = await new SignJWT(decodeJwt(token('chen-jing')))
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: publicJwk.kid! })
        .sign(secret);
      expect(await refusal(verify(forged))).toBe('algorithm_not_allowed');
    }
  });

  it('refuses an assurance level below the configured minimum or the one a call asks for', async () => {
    const t = token('chen-jing');
    expect(await refusal(withConfig({ minAssurance: 3 })(t))).toBe('insufficient_assurance');
    try {
      await verify(t, { minAssurance: 3 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApplicantTokenRefusedError);
      expect((e as ApplicantTokenRefusedError).requiredAssurance).toBe(3);
      expect(bearerChallenge(e as ApplicantTokenRefusedError, acrFor)).toContain(
        'error="insufficient_user_authentication"',
      );
      expect(bearerChallenge(e as ApplicantTokenRefusedError, acrFor)).toContain(
        'acr_values="urn:yijianshi:loa:3"',
      );
    }
    expect(
      await refusal(
        verify(
          await forge({ name: '陈静', id_number: DEMO_APPLICANTS[0]!.person.idNumber, acr: 'loa-gold' }),
        ),
      ),
    ).toBe('insufficient_assurance');
  });

  it('refuses a validly signed token without the identity claims, a bad ID number or a bad organisation', async () => {
    const chen = DEMO_APPLICANTS.find((a) => a.id === 'chen-jing')!.person;
    await expect(verify(await forge({ name: chen.name, id_number: chen.idNumber }))).resolves.toMatchObject({
      identity: { kind: 'person', idNumber: chen.idNumber },
    });
    expect(await refusal(verify(await forge({ name: chen.name })))).toBe('missing_identity_claims');
    const badCheck = `${chen.idNumber.slice(0, 17)}${chen.idNumber.endsWith('0') ? '1' : '0'}`;
    expect(await refusal(verify(await forge({ name: chen.name, id_number: badCheck })))).toBe(
      'invalid_claims',
    );
    expect(
      await refusal(
        verify(await forge({ name: chen.name, id_number: chen.idNumber, org: { uscc: 'X', role: 'boss' } })),
      ),
    ).toBe('invalid_claims');
    expect(
      await refusal(verify(await forge({ name: chen.name, id_number: chen.idNumber, scope: 'openid' }))),
    ).toBe('insufficient_scope');
  });

  it('refuses a key id the provider does not publish', async () => {
    const chen = DEMO_APPLICANTS.find((a) => a.id === 'chen-jing')!.person;
    expect(
      await refusal(
        verify(await forge({ name: chen.name, id_number: chen.idNumber }, { kid: 'rotated-away' })),
      ),
    ).toBe('unknown_key');
  });

  it('refuses what is not a JWT', async () => {
    expect(await refusal(verify('not-a-token'))).toBe('malformed_token');
    expect(await refusal(verify('a.b.c'))).toBe('malformed_token');
  });

  it('fetches the JWKS once per process, not per token', async () => {
    const before = requests.filter((r) => r === 'GET /jwks').length;
    const fresh = applicantTokenVerifier(idp.verification);
    for (let i = 0; i < 10; i++) await fresh(token(DEMO_APPLICANTS[i % DEMO_APPLICANTS.length]!.id));
    expect(requests.filter((r) => r === 'GET /jwks').length).toBe(before);
    expect(remoteKeySet(idp.jwksUri)).toBe(remoteKeySet(idp.jwksUri));
  });

  it('verifies tokens issued before a restart with kept keys', async () => {
    const t = token('sun-lixin');
    const port = new URL(idp.issuer).port;
    await idp.stop();
    idp = await startIdentityProvider({ city: 'changzhou', dataDir, port: Number(port) });
    // Not the process's cached key set: the keys must come from the restarted provider.
    const fresh = applicantTokenVerifier(idp.verification, {
      keys: createRemoteJWKSet(new URL(idp.jwksUri)),
    });
    await expect(fresh(t)).resolves.toMatchObject({ identity: { name: '孙立新' } });
  });
});

describe('bearerToken', () => {
  it('reads the token of an Authorization header, and nothing else', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
