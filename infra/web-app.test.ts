/**
 * The web apps in the city stack (infra/constructs/web-app.ts), synthesised: a private bucket read
 * through Origin Access Control, one CloudFront distribution with the bucket as default origin and
 * the API stage on /v1/* (never cached, every method, every viewer header but Host, every query
 * string), the built apps and a generated config.json deployed, and the WebUrl output. Without
 * web/dist nothing is uploaded and synth warns.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCityApp } from './city-app.ts';
import type { CityStack } from './city-stack.ts';
import { PORTAL_KEY_PLACEHOLDER } from './constructs/web-app.ts';

type Json = Record<string, unknown>;

/** A built web/dist of the right shape (the real one is built by Vite; its content does not matter here). */
function fakeDist(): string {
  const dist = mkdtempSync(join(tmpdir(), 'yjs-web-dist-'));
  for (const dir of ['assets', 'workbench', 'supervision']) mkdirSync(join(dist, dir));
  for (const page of ['index.html', 'workbench/index.html', 'supervision/index.html'])
    writeFileSync(join(dist, page), '<!doctype html><title>t</title>');
  writeFileSync(join(dist, 'assets', 'portal-abc123.js'), 'export {};');
  return dist;
}

/** The city stack and the template of its web apps' nested stack (plus the city stack's own, for the output). */
function synth(
  webDist: string,
  context: Json = {},
): { stack: CityStack; template: Template; city: Template } {
  const { stack } = createCityApp({
    appProps: {
      context: { city: 'changzhou', 'aws:cdk:bundling-stacks': [], ...context },
      builtinCloudFormationValidation: false,
    },
    nagChecks: false,
    stackProps: { webDist },
  });
  return { stack, template: Template.fromStack(stack.web), city: Template.fromStack(stack) };
}

const resourcesOf = (template: Template, type: string) =>
  Object.values(template.findResources(type)) as { Properties: Json }[];

describe('the web apps in the city stack', () => {
  let stack: CityStack;
  let template: Template;
  let city: Template;
  beforeAll(() => {
    ({ stack, template, city } = synth(fakeDist(), { webPortalKey: 'yjs_public_web_key' }));
  }, 60_000);

  it('keeps the built files in a private bucket that only the distribution reads (OAC)', () => {
    const { Properties: bucket } = resourcesOf(template, 'AWS::S3::Bucket').find(
      (b) => JSON.stringify(b).includes('"BucketOwnerEnforced"') && !JSON.stringify(b).includes('KMS'),
    )!;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    // The bucket policy lets CloudFront (this distribution) read, and nobody else.
    const policies = JSON.stringify(resourcesOf(template, 'AWS::S3::BucketPolicy'));
    expect(policies).toContain('cloudfront.amazonaws.com');
    expect(policies).toContain('AWS:SourceArn');
  });

  it('serves the bucket by default and the API stage on /v1/*, uncached, every method and header but Host', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const [{ Properties: props }] = resourcesOf(template, 'AWS::CloudFront::Distribution') as [
      { Properties: { DistributionConfig: Json } },
    ];
    const config = props.DistributionConfig as {
      DefaultRootObject: string;
      Origins: {
        Id: string;
        DomainName: unknown;
        OriginPath?: string;
        S3OriginConfig?: Json;
        CustomOriginConfig?: Json;
      }[];
      DefaultCacheBehavior: Json;
      CacheBehaviors: Json[];
      Logging?: Json;
    };
    expect(config.DefaultRootObject).toBe('index.html');
    const s3Origin = config.Origins.find((o) => o.S3OriginConfig)!;
    const apiOrigin = config.Origins.find((o) => o.CustomOriginConfig)!;
    expect(config.DefaultCacheBehavior).toMatchObject({
      TargetOriginId: s3Origin.Id,
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: cloudfront.CachePolicy.CACHING_OPTIMIZED.cachePolicyId,
    });
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(config.CacheBehaviors[0]).toMatchObject({
      PathPattern: '/v1/*',
      TargetOriginId: apiOrigin.Id,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
      // Forwards every viewer header (Authorization, x-api-key, Idempotency-Key, Accept-Language,
      // content-type…) and query string, but not Host.
      OriginRequestPolicyId:
        cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
    });
    // The API origin is this stack's REST API at its stage (routes start with /v1 there).
    // The nested stack gets the API's id and stage as parameters from the city stack.
    const [nested] = Object.values(city.findResources('AWS::CloudFormation::Stack')) as {
      Properties: { Parameters: Record<string, unknown> };
    }[];
    const passed = (value: unknown) =>
      Object.entries(nested!.Properties.Parameters)
        .filter(([, v]) => JSON.stringify(v) === JSON.stringify(value))
        .map(([name]) => name);
    const [apiParameter] = passed(stack.resolve(stack.api.restApiId));
    const [stageParameter] = passed(stack.resolve(stack.api.deploymentStage.stageName));
    expect(apiParameter).toBeDefined();
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(`{"Ref":"${apiParameter}"},".execute-api."`);
    // (its path is the stage's, cut from the API's URL by CDK)
    expect(stageParameter).toBeDefined();
    expect(JSON.stringify(apiOrigin.OriginPath)).toContain(`{"Ref":"${stageParameter}"}`);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
    expect(config.Logging).toBeDefined();
  });

  it('rewrites /workbench and /supervision to their folders’ index.html', () => {
    const [fn] = resourcesOf(template, 'AWS::CloudFront::Function');
    const code = String(fn!.Properties.FunctionCode);
    const handler = new Function(`${code}; return handler;`)() as (e: { request: { uri: string } }) => {
      uri: string;
    };
    const at = (uri: string) => handler({ request: { uri } }).uri;
    expect(at('/workbench')).toBe('/workbench/index.html');
    expect(at('/supervision/')).toBe('/supervision/index.html');
    expect(at('/')).toBe('/index.html');
    expect(at('/assets/portal-abc123.js')).toBe('/assets/portal-abc123.js');
    expect(at('/config.json')).toBe('/config.json');
  });

  it('deploys the built apps (pages revalidated, assets kept) and a generated config.json', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 2);
    const deployments = resourcesOf(template, 'Custom::CDKBucketDeployment');
    const pages = deployments.find((d) => d.Properties.DistributionPaths)!;
    expect(pages.Properties.DistributionPaths).toEqual(['/*']);
    expect(pages.Properties.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(pages.Properties.Exclude).toEqual(['assets/*']);
    // Two sources: the built pages and the generated config.json.
    expect((pages.Properties.SourceObjectKeys as unknown[]).length).toBe(2);
    const assets = deployments.find((d) => d.Properties.DestinationBucketKeyPrefix === 'assets/')!;
    expect(assets.Properties.Prune).toBe(false);
    expect(assets.Properties.SystemMetadata).toEqual({
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  it('writes config.json: same-origin API, the city’s identity provider, the web client and portal key', () => {
    expect(stack.web.webConfig).toEqual({
      apiBase: '',
      portalKey: 'yjs_public_web_key',
      oidc: {
        issuer: 'https://idp.changzhou.example/oidc',
        clientId: 'yijianshi-web',
        audience: 'urn:yijianshi:changzhou:api',
      },
      mode: 'deployed',
    });
    // Without -c webPortalKey, a placeholder that says what to do.
    expect(synth(fakeDist()).stack.web.webConfig.portalKey).toBe(PORTAL_KEY_PLACEHOLDER);
  });

  it('outputs WebUrl, the distribution’s https address', () => {
    const outputs = city.findOutputs('WebUrl');
    const [output] = Object.values(outputs) as { Value: unknown }[];
    expect(JSON.stringify(output!.Value)).toContain('DomainName');
    expect(JSON.stringify(output!.Value)).toContain('https://');
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding (the deployment’s function is the stack’s)', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('without web/dist: the bucket and distribution, nothing uploaded, and a warning saying what to run', () => {
    const { stack: bare, template: t, city: c } = synth(join(tmpdir(), 'yjs-no-such-dist'));
    t.resourceCountIs('Custom::CDKBucketDeployment', 0);
    t.resourceCountIs('AWS::CloudFront::Distribution', 1);
    expect(Object.keys(c.findOutputs('WebUrl'))).toHaveLength(1);
    Annotations.fromStack(bare).hasWarning(
      '/Yijianshi-changzhou/Web',
      Match.stringLikeRegexp('npm run build:web'),
    );
  });
});
