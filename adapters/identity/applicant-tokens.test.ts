/**
 * The verifier and its configuration without any provider: keys made here, served as a local JWKS.
 * Shows that a provider spelling its claims and `acr` values differently (Keycloak, Cognito, a
 * provincial platform) is configuration, not code.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplicantTokenRefusedError } from '#core/identity/applicant.ts';
import { ID_A, USCC_A } from '#core/identity/test-identities.ts';
import { identityEnv, parseIdentityConfig } from '../config.ts';
import { applicantTokenVerifier } from './applicant-tokens.ts';

const ENV = {
  IDP_ISSUER: 'https://idp.example.gov.cn/realms/changzhou',
  IDP_AUDIENCE: 'yijianshi-api',
  IDP_JWKS_URL: 'https://idp.example.gov.cn/realms/changzhou/protocol/openid-connect/certs',
};

let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let jwks: { keys: JWK[] };
beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  signingKey = privateKey;
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});

const sign = (claims: Record<string, unknown>, iss = ENV.IDP_ISSUER) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss, aud: ENV.IDP_AUDIENCE, sub: 'f:3c2a', iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
    .sign(signingKey);
};

describe('parseIdentityConfig', () => {
  it('needs issuer, audience and JWKS URL, and defaults the rest', () => {
    const c = parseIdentityConfig(ENV);
    expect(c).toMatchObject({
      issuer: ENV.IDP_ISSUER,
      minAssurance: 2,
      maxTokenAgeSeconds: 43_200,
      clockToleranceSeconds: 30,
      claimNames: { name: 'name', idNumber: 'id_number', organisation: 'org', assurance: 'acr' },
      acrValues: { 'urn:yijianshi:loa:2': 2 },
    });
    expect(c.tokenType).toBeUndefined();
  });

  it('says every bad variable at once', () => {
    expect(() =>
      parseIdentityConfig({
        IDP_ISSUER: 'not a url',
        IDP_MIN_ASSURANCE: '5',
        IDP_CLAIM_NAMES: '{"idNumbr":"x"}',
      }),
    ).toThrow(
      /IDP_ISSUER[\s\S]*IDP_AUDIENCE[\s\S]*IDP_JWKS_URL[\s\S]*IDP_MIN_ASSURANCE[\s\S]*IDP_CLAIM_NAMES/,
    );
    expect(() => parseIdentityConfig({ ...ENV, IDP_ACR_VALUES: '{not json' })).toThrow(
      /IDP_ACR_VALUES: not JSON/,
    );
    expect(() => parseIdentityConfig({ ...ENV, IDP_CLOCK_TOLERANCE_SECONDS: '3600' })).toThrow(
      /IDP_CLOCK_TOLERANCE_SECONDS/,
    );
  });

  it('round-trips through the variables it would hand a Lambda', () => {
    const c = parseIdentityConfig({ ...ENV, IDP_TOKEN_TYPE: 'at+jwt', IDP_REQUIRED_SCOPE: 'applicant' });
    expect(parseIdentityConfig(identityEnv(c))).toEqual(c);
  });
});

describe('a provider with its own claim names and acr values', () => {
  const config = () =>
    parseIdentityConfig({
      ...ENV,
      IDP_CLAIM_NAMES: JSON.stringify({ idNumber: 'custom:id_number', organisation: 'custom:org' }),
      IDP_ACR_VALUES: JSON.stringify({ silver: 2, gold: 3 }),
    });

  it('maps them to the same identity', async () => {
    const verify = applicantTokenVerifier(config(), { keys: createLocalJWKSet(jwks) });
    const token = await sign({
      name: '陈静',
      'custom:id_number': ID_A,
      'custom:org': { uscc: USCC_A, name: '某公司', role: 'authorised' },
      acr: 'gold',
      azp: 'portal-a',
    });
    await expect(verify(token, { minAssurance: 3 })).resolves.toMatchObject({
      identity: {
        kind: 'organisation',
        subject: 'f:3c2a',
        uscc: USCC_A,
        role: 'authorised',
        actingPerson: { idNumber: ID_A, name: '陈静' },
        assurance: 3,
      },
      clientId: 'portal-a',
      acr: 'gold',
    });
  });

  it('refuses an acr value it was not told about, and the default claim names', async () => {
    const verify = applicantTokenVerifier(config(), { keys: createLocalJWKSet(jwks) });
    const reason = async (claims: Record<string, unknown>) =>
      verify(await sign(claims)).then(
        () => 'accepted',
        (e: ApplicantTokenRefusedError) => e.reason,
      );
    expect(await reason({ name: '陈静', 'custom:id_number': ID_A, acr: 'urn:yijianshi:loa:3' })).toBe(
      'insufficient_assurance',
    );
    expect(await reason({ name: '陈静', id_number: ID_A, acr: 'gold' })).toBe('missing_identity_claims');
  });

  it('checks the token type only when configured', async () => {
    const typed = applicantTokenVerifier(
      { ...config(), tokenType: 'at+jwt' },
      { keys: createLocalJWKSet(jwks) },
    );
    await expect(
      typed(await sign({ name: '陈静', 'custom:id_number': ID_A, acr: 'gold' })),
    ).rejects.toMatchObject({
      reason: 'wrong_token_type',
    });
  });
});
