/**
 * The city stack, for every city under cities/: what it must guarantee whatever the catalog
 * (retained, encrypted, private data; one Lambda per row of functions/routes.ts; the ASL the local
 * runtime runs, fully substituted; no partition written by hand; cdk-nag clean). Bundling is
 * skipped (context aws:cdk:bundling-stacks = []): esbuild output is not what is tested here, and
 * skipping it keeps this file to a few seconds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_SHAPE } from '../adapters/dynamodb/table.ts';
import {
  eventFunctions,
  type HttpRoute,
  httpRoutes,
  scheduledFunctions,
  substitutionKey,
  type TaskFunction,
  taskFunctions,
} from '../functions/routes.ts';
import { caseFlowAslPath as localCaseFlowAslPath } from '../local/state-machines.ts';
import { type CityAppOptions, createCityApp } from './city-app.ts';
import { availableCities, loadCityConfig } from './city-config.ts';
import type { CityStack } from './city-stack.ts';
import { repoRoot } from './paths.ts';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const cdkContext = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Json })
  .context;
const cities = availableCities();
const aslText = readFileSync(resolve(repoRoot, 'statemachines/case-flow.asl.json'), 'utf8');

function build(city: string, options: Omit<CityAppOptions, 'appProps'> = {}) {
  // Same context as `cdk synth` (cdk.json), minus bundling. Nag runs explicitly below; CDK's
  // built-in CloudFormation schema validation (~6 s to load) runs in `cdk synth` of every city in
  // .ci/run instead.
  const context = { ...cdkContext, city, 'aws:cdk:bundling-stacks': [] };
  return createCityApp({
    appProps: { context, builtinCloudFormationValidation: false },
    nagChecks: false,
    ...options,
  });
}

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function unacknowledgedNagFindings(stack: CityStack): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

/** The inline policy CDK grants write to a role, resolved. */
function policyOf(stack: Stack, role: iam.IRole): string {
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  return JSON.stringify(stack.resolve(policy?.document));
}

/** What CloudFormation does with DefinitionSubstitutions, on the ASL file itself. */
function substitutedDefinition(template: Template): string {
  const [, machine] = resourcesOf(template, 'AWS::StepFunctions::StateMachine')[0]!;
  const substitutions = (machine.Properties?.DefinitionSubstitutions ?? {}) as Json;
  return aslText.replace(/\$\{(\w+)\}/g, (m, key: string) =>
    key in substitutions ? JSON.stringify(substitutions[key]) : m,
  );
}

it('finds at least one city under cities/', () => {
  expect(cities.length).toBeGreaterThan(0);
});

describe.each(cities)('the stack of %s', (city) => {
  let stack: CityStack;
  let template: Template;
  let templateJson: string;

  beforeAll(() => {
    stack = build(city).stack;
    template = Template.fromStack(stack);
    templateJson = JSON.stringify(template.toJSON());
  });

  it('synthesises as Yijianshi-<city> without running esbuild', () => {
    expect(stack.stackName).toBe(`Yijianshi-${city}`);
    // The switch NodejsFunction consults before bundling.
    expect(stack.bundlingRequired).toBe(false);
  });

  it('keeps the single table with PITR, its own KMS key and TTL, and retains it', () => {
    const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const [, table] = tables[0]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_SHAPE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SHAPE.sortKey, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const indexes = (table.Properties!.GlobalSecondaryIndexes as { IndexName: string }[]).map(
      (i) => i.IndexName,
    );
    expect(indexes.sort()).toEqual(['gsi1', 'gsi2']);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });

  it('blocks public access to every bucket, encrypts files with KMS and refuses plain HTTP', () => {
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    for (const [, bucket] of buckets) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
    const files = buckets.filter(([, b]) =>
      JSON.stringify(b.Properties?.BucketEncryption).includes('aws:kms'),
    );
    expect(files).toHaveLength(1);
    const [filesId, filesBucket] = files[0]!;
    expect(filesBucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: expect.anything() },
      CorsConfiguration: { CorsRules: [expect.objectContaining({ AllowedMethods: ['PUT', 'GET'] })] },
    });
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(buckets.length);
    for (const [, policy] of policies) {
      expect(policy.Properties?.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
    expect(
      policies.some(([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: filesId })),
    ).toBe(true);
  });

  it('creates one nodejs22.x arm64 Lambda per route, task and schedule row, each logging to its own group with retention', () => {
    expect([...stack.httpFunctions.keys()]).toEqual(httpRoutes.map((r) => r.name));
    expect([...stack.taskFunctions.keys()]).toEqual(taskFunctions.map((t: TaskFunction) => t.name));
    for (const [name, fn] of stack.httpFunctions)
      expect(fn.entry).toBe(join(repoRoot, 'functions', `${name}.handler.ts`));
    for (const [name, fn] of stack.taskFunctions)
      expect(fn.entry).toBe(join(repoRoot, 'functions', `${name}.task.ts`));

    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const authorizers = httpRoutes.some((r: HttpRoute) => r.caller !== 'public') ? 1 : 0;
    expect(functions).toHaveLength(
      httpRoutes.length +
        taskFunctions.length +
        scheduledFunctions.length +
        eventFunctions.length +
        authorizers,
    );
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: expect.objectContaining({ CITY_ID: city, CATALOG_FILE: '/var/task/catalog.json' }),
        },
      });
      const logGroupRef = (fn.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroups[logGroupRef]?.Properties?.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('deploys the ASL file the local runtime executes, with every placeholder substituted', () => {
    const expected = resolve(repoRoot, 'statemachines/case-flow.asl.json');
    expect(stack.caseFlowAslPath).toBe(expected);
    expect(stack.caseFlowAslPath).toBe(localCaseFlowAslPath);

    // The S3 asset CloudFormation reads the definition from is a copy of that very file.
    const assembly = stack.node.root as unknown as { synth(): { directory: string } };
    const manifest = JSON.parse(
      readFileSync(join(assembly.synth().directory, `${stack.artifactId}.assets.json`), 'utf8'),
    ) as { files: Record<string, { source: { path: string } }> };
    const [, machine] = resourcesOf(template, 'AWS::StepFunctions::StateMachine')[0]!;
    const key = JSON.stringify(machine.Properties?.DefinitionS3Location);
    const asset = Object.entries(manifest.files).find(([hash]) => key.includes(hash));
    expect(asset, 'state machine definition asset').toBeDefined();
    expect(readFileSync(join(assembly.synth().directory, asset![1].source.path), 'utf8')).toBe(aslText);

    expect(substitutedDefinition(template)).not.toContain('${');
    const substitutions = machine.Properties?.DefinitionSubstitutions as Json;
    // Each task's placeholder is that task's function, and the state machine may invoke it.
    const machinePolicy = policyOf(stack, stack.stateMachine.role);
    for (const [name, fn] of stack.taskFunctions) {
      const fnId = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
      expect(substitutions[substitutionKey(name)]).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(machinePolicy).toContain(fnId);
    }
    expect(substitutions.Partition).toEqual({ Ref: 'AWS::Partition' });
  });

  it('guards portal routes with an API key and the authorizer, department routes with the authorizer', () => {
    const methods = new Map(stack.api.methods.map((m) => [`${m.httpMethod} ${m.resource.path}`, m]));
    const identitySources = Object.fromEntries(
      resourcesOf(template, 'AWS::ApiGateway::Authorizer').map(([id, a]) => [
        id,
        a.Properties!.IdentitySource,
      ]),
    );
    const resources = template.toJSON().Resources as Record<string, Resource>;
    for (const route of httpRoutes as readonly HttpRoute[]) {
      const method = methods.get(`${route.method} ${route.path}`);
      expect(method, `${route.method} ${route.path}`).toBeDefined();
      const logicalId = stack.getLogicalId(method!.node.defaultChild as CfnElement);
      const { AuthorizationType, ApiKeyRequired, AuthorizerId } = resources[logicalId]!.Properties as {
        AuthorizationType: string;
        ApiKeyRequired?: boolean;
        AuthorizerId?: { Ref: string };
      };
      const expected = {
        public: ['NONE', false, undefined],
        portal: ['CUSTOM', true, 'method.request.header.x-api-key'],
        applicant: ['CUSTOM', true, 'method.request.header.x-api-key,method.request.header.Authorization'],
        department: ['CUSTOM', false, 'method.request.header.Authorization'],
        hotline: ['CUSTOM', false, 'method.request.header.Authorization'],
      }[route.caller];
      expect([
        AuthorizationType,
        ApiKeyRequired ?? false,
        AuthorizerId && identitySources[AuthorizerId.Ref],
      ]).toEqual(expected);
    }
  });

  it('grants each HTTP function exactly what its route spec needs, and each task what its row needs', () => {
    const wrong: string[] = [];
    for (const route of httpRoutes) {
      const policy = policyOf(stack, stack.httpFunctions.get(route.name)!.role);
      const needs = route.needs ?? {};
      const check = (what: string, action: string, wanted: boolean) => {
        if (policy.includes(action) !== wanted)
          wrong.push(`${route.name}: ${what} ${wanted ? 'missing' : 'granted'}`);
      };
      check('table read', 'dynamodb:GetItem', Boolean(needs.table));
      check('table write', 'dynamodb:PutItem', needs.table === 'write');
      check('files read', 's3:GetObject', Boolean(needs.files));
      check('files write', 's3:PutObject', needs.files === 'write');
      check('workflow start', 'states:StartExecution', Boolean(needs.workflow?.includes('start')));
      check('workflow stop', 'states:StopExecution', Boolean(needs.workflow?.includes('stop')));
      check('workflow callback', 'states:SendTaskSuccess', Boolean(needs.workflow?.includes('callback')));
      check('signing', 'kms:Verify', Boolean(needs.signing));
      check('signing', 'kms:Sign', needs.signing === 'sign');
    }
    expect(wrong).toEqual([]);
    // Tasks: workflow calls only where their row names them (open-task answers its own wait when the
    // answer came first); files and the signing key only for issue-licenses.
    for (const task of taskFunctions as readonly TaskFunction[]) {
      const policy = policyOf(stack, stack.taskFunctions.get(task.name)!.role);
      const needs = task.needs ?? {};
      if (policy.includes('states:') !== Boolean(needs.workflow?.length))
        wrong.push(`${task.name}: workflow`);
      if (policy.includes('s3:GetObject') !== Boolean(needs.files)) wrong.push(`${task.name}: files`);
      if (policy.includes('kms:Sign') !== (needs.signing === 'sign')) wrong.push(`${task.name}: signing`);
    }
    expect(wrong).toEqual([]);
  });

  it('writes no ARN with a hard-coded partition', () => {
    expect(templateJson).not.toMatch(/arn:aws(-cn|-us-gov)?:/);
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    expect(unacknowledgedNagFindings(stack)).toEqual([]);
  });
});

describe('the hooks and guards around the route table', () => {
  const city = cities[0] ?? 'changzhou';
  const fixtures = join(repoRoot, 'infra', 'fixtures');

  it('gives a portal a usage plan with throttle and quota, and an API key', () => {
    const { stack } = build(city);
    stack.addPortalUsagePlan('portal-a');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 20, BurstLimit: 40 },
      Quota: { Limit: 50_000, Period: 'DAY' },
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    expect(unacknowledgedNagFindings(stack)).toEqual([]);
  });

  /** What a route spec says beyond what the stack reads (method, path, name, caller, needs). */
  const SPEC = { summary: 'a route', tags: [], responses: {} } as const;

  it('names every row whose entry file is missing', () => {
    const routes: HttpRoute[] = [
      { ...SPEC, method: 'GET', path: '/v1/a', name: 'not-written-yet', caller: 'public' },
      { ...SPEC, method: 'GET', path: '/v1/b', name: 'nor-this-one', caller: 'public' },
    ];
    const functionsDir = join(fixtures, 'functions-without-authorizer');
    expect(() => build(city, { stackProps: { routes, tasks: [], functionsDir } })).toThrow(
      /missing .*not-written-yet\.handler\.ts, nor-this-one\.handler\.ts/,
    );
  });

  it('refuses a department route when the authorizer file is missing', () => {
    const routes: HttpRoute[] = [
      {
        ...SPEC,
        method: 'POST',
        path: '/v1/tasks/{taskId}/decision',
        name: 'decide-task',
        caller: 'department',
      },
    ];
    const functionsDir = join(fixtures, 'functions-without-authorizer');
    expect(() => build(city, { stackProps: { routes, tasks: [], functionsDir } })).toThrow(
      /authorize-caller\.authorizer\.ts/,
    );
  });
});

describe('the city config', () => {
  it('names the available cities when the city is unknown', () => {
    expect(() => loadCityConfig('atlantis')).toThrow(
      new RegExp(`Unknown city "atlantis".*${cities.join(', ')}`),
    );
  });

  it('refuses a catalog whose city id differs from its folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yijianshi-cities-'));
    try {
      mkdirSync(join(dir, 'elsewhere'));
      writeFileSync(
        join(dir, 'elsewhere', 'catalog.json'),
        readFileSync(join(repoRoot, 'cities', cities[0]!, 'catalog.json')),
      );
      expect(() => loadCityConfig('elsewhere', { citiesDir: dir })).toThrow(/declares city.id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retains data unless told otherwise, and accepts a region', () => {
    const city = cities[0]!;
    expect(loadCityConfig(city).retainData).toBe(true);
    expect(loadCityConfig(city, { retainData: 'false', region: 'cn-north-1' })).toMatchObject({
      retainData: false,
      region: 'cn-north-1',
    });
    expect(() => loadCityConfig(city, { retainData: 'maybe' })).toThrow(/retainData/);
  });
});
