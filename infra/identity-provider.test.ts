/**
 * The city's identity provider is city configuration (cities/<id>/identity-provider.json): its
 * issuer, audience, JWKS URL and minimum assurance reach the function that verifies applicants'
 * tokens (the authorizer) as the `IDP_*` variables adapters/config.ts parses — and no other
 * function. A broken file fails the synth. Synthesised without bundling (fast).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdentityConfig } from '../adapters/config.ts';
import { createCityApp } from './city-app.ts';
import { availableCities, loadCityConfig } from './city-config.ts';
import { citiesDir, repoRoot } from './paths.ts';

const cdkContext = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: object })
  .context;

type Fn = { Properties: { Description?: string; Environment?: { Variables?: Record<string, unknown> } } };

function synth(city: string, dir?: string) {
  const { stack } = createCityApp({
    appProps: {
      context: { ...cdkContext, city, 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    },
    nagChecks: false,
    ...(dir ? { citiesDir: dir } : {}),
  });
  return Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as Fn[];
}

const isAuthorizer = (fn: Fn) => (fn.Properties.Description ?? '').startsWith('API Gateway authorizer');

/** A copy of cities/ whose changzhou provider is another one, to tell the file's values from defaults. */
const scratch = mkdtempSync(join(tmpdir(), 'cities-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
cpSync(citiesDir, scratch, { recursive: true });
const OTHER = {
  issuer: 'https://tyrz.jiangsu.example/realms/changzhou',
  audience: 'urn:changzhou:yijianshi-api',
  jwksUrl: 'https://tyrz.jiangsu.example/realms/changzhou/protocol/openid-connect/certs',
  minAssurance: 3,
  claimNames: { idNumber: 'custom:id_number' },
};
writeFileSync(join(scratch, 'changzhou', 'identity-provider.json'), JSON.stringify(OTHER));

describe("the city's identity provider in the stack", () => {
  it('hands the settings of identity-provider.json to the authorizer, and to no other function', () => {
    const functions = synth('changzhou', scratch);
    const authorizers = functions.filter(isAuthorizer);
    expect(authorizers).toHaveLength(1);
    const env = authorizers[0]!.Properties.Environment!.Variables!;
    expect(env).toMatchObject({
      IDP_ISSUER: OTHER.issuer,
      IDP_AUDIENCE: OTHER.audience,
      IDP_JWKS_URL: OTHER.jwksUrl,
      IDP_MIN_ASSURANCE: '3',
    });
    // What the authorizer's Lambda will parse at init: exactly the file's settings.
    const parsed = parseIdentityConfig(env as Record<string, string>);
    expect(parsed).toMatchObject({ ...OTHER, claimNames: expect.objectContaining(OTHER.claimNames) });
    for (const fn of functions.filter((f) => !isAuthorizer(f)))
      expect(
        Object.keys(fn.Properties.Environment?.Variables ?? {}).filter((k) => k.startsWith('IDP_')),
      ).toEqual([]);
  });

  it.each(availableCities())('configures %s with its own provider, for its own audience', (city) => {
    const config = loadCityConfig(city);
    expect(config.identityProvider.audience).toContain(city);
    const [authorizer] = synth(city).filter(isAuthorizer);
    expect(authorizer!.Properties.Environment!.Variables).toMatchObject({
      IDP_ISSUER: config.identityProvider.issuer,
      IDP_AUDIENCE: config.identityProvider.audience,
      IDP_JWKS_URL: config.identityProvider.jwksUrl,
      IDP_MIN_ASSURANCE: String(config.identityProvider.minAssurance),
    });
  });

  it('fails the synth on a missing file, an unknown setting or a bad value, naming the file', () => {
    const file = join(scratch, 'changzhou', 'identity-provider.json');
    writeFileSync(file, JSON.stringify({ ...OTHER, jwksUrl: 'not a url' }));
    expect(() => loadCityConfig('changzhou', { citiesDir: scratch })).toThrow(
      /identity-provider\.json.*IDP_JWKS_URL/s,
    );
    writeFileSync(file, JSON.stringify({ ...OTHER, issuerUrl: OTHER.issuer }));
    expect(() => loadCityConfig('changzhou', { citiesDir: scratch })).toThrow(/unknown setting "issuerUrl"/);
    writeFileSync(file, JSON.stringify({ ...OTHER, minAssurance: 4 }));
    expect(() => loadCityConfig('changzhou', { citiesDir: scratch })).toThrow(/IDP_MIN_ASSURANCE/);
    rmSync(file);
    expect(() => loadCityConfig('changzhou', { citiesDir: scratch })).toThrow(
      /identity-provider\.json is missing/,
    );
    writeFileSync(file, JSON.stringify(OTHER));
  });
});
