/**
 * The published OpenAPI document (GET /v1/openapi.json) against what is deployed and against the
 * linter. The document, the local dev server and the CDK stack are all generated from the one
 * route table, functions/routes.ts; these tests make sure the document covers exactly that table
 * and — since the stack is built from the same table — exactly the methods API Gateway serves.
 * That real answers match the document is test/api/responses.e2e.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaseResolver, createConfig, lintDocument, makeDocumentFromString } from '@redocly/openapi-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  buildOpenApiDocument,
  type OpenApiDocument,
  PROBLEM_MEDIA_TYPE,
} from '../../adapters/http/openapi.ts';
import {
  BundleDetailSchema,
  BundleListSchema,
  CaseSubmittedSchema,
  CaseViewSchema,
  GuideSchema,
  ReductionMetricsSchema,
  TaskViewSchema,
} from '../../adapters/http/schemas.ts';
import { caseView, submissionView, taskView } from '../../core/case/views.ts';
import { guide, reductionMetrics } from '../../core/catalog/guide.ts';
import { bundleDetail, bundleSummary } from '../../core/catalog/views.ts';
import { CASE_STATUS_CHANGED, TASK_EVENT_TYPES, thinEvent } from '../../core/webhooks/events.ts';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../../core/webhooks/signing.ts';
import { httpRoutes } from '../../functions/routes.ts';
import { createCityApp } from '../../infra/city-app.ts';
import { repoRoot } from '../../infra/paths.ts';
import { DocumentValidator } from './openapi-validator.ts';

const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );

describe('the OpenAPI document', () => {
  let doc: OpenApiDocument;
  beforeAll(() => {
    doc = buildOpenApiDocument(httpRoutes, { serverUrl: 'https://api.changzhou.example.cn/prod' });
  });

  it('documents exactly the routes of functions/routes.ts, each once', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(operationsOf(doc).sort()).toEqual(httpRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('documents exactly the methods the CDK stack deploys', () => {
    // Built as the infra tests do: the same context as `cdk synth`, without esbuild bundling.
    const cdkContext = (
      JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
    ).context;
    const { stack } = createCityApp({
      appProps: {
        context: { ...cdkContext, city: 'changzhou', 'aws:cdk:bundling-stacks': [] },
        builtinCloudFormationValidation: false,
      },
      nagChecks: false,
    });
    const deployed = stack.api.methods
      .filter((m) => m.httpMethod !== 'OPTIONS') // CORS preflight, answered by API Gateway itself
      .map((m) => `${m.httpMethod} ${m.resource.path}`);
    expect(operationsOf(doc).sort()).toEqual(deployed.sort());
  });

  it('asks each caller kind for its own credentials, and public routes for none', () => {
    for (const route of httpRoutes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(op.security, route.name).toEqual(
        {
          public: [],
          portal: [{ portalApiKey: [] }],
          applicant: [{ portalApiKey: [], applicantToken: [] }],
          department: [{ bearerAuth: [] }],
          hotline: [{ bearerAuth: [] }],
        }[route.caller],
      );
      if (route.caller !== 'public') expect(Object.keys(op.responses), route.name).toContain('401');
    }
    expect(doc.components.securitySchemes).toMatchObject({
      portalApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      bearerAuth: { type: 'http', scheme: 'bearer' },
      applicantToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
  });

  it('answers every error as problem+json, every success as JSON, and a 304 without a body', () => {
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        for (const [status, response] of Object.entries(op.responses)) {
          const where = `${method} ${path} ${status}`;
          if (/^[45]/.test(status)) {
            expect(Object.keys(response.content ?? {}), where).toEqual([PROBLEM_MEDIA_TYPE]);
            expect(response.content?.[PROBLEM_MEDIA_TYPE]?.schema, where).toEqual({
              $ref: '#/components/schemas/Problem',
            });
          } else if (status === '304') expect(response.content, where).toBeUndefined();
          else expect(Object.keys(response.content ?? {}), where).toEqual(['application/json']);
        }
  });

  it('passes the Redocly linter with the recommended rules, without a warning', async () => {
    // No rule is turned off: the recommended set as it ships.
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintDocument({
      document: makeDocumentFromString(JSON.stringify(doc), '/v1/openapi.json'),
      config,
      externalRefResolver: new BaseResolver(),
    });
    expect(
      problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`),
    ).toEqual([]);
  });

  it('holds only schemas that ajv (draft 2020-12) compiles strictly', () => {
    const compiled = new DocumentValidator(doc).compileAll();
    expect(compiled.length).toBe(Object.keys(doc.components.schemas).length);
  });

  it('is generated the same every time, and from JSON-only values', () => {
    const again = buildOpenApiDocument(httpRoutes, { serverUrl: 'https://api.changzhou.example.cn/prod' });
    expect(JSON.parse(JSON.stringify(again))).toEqual(doc);
  });

  it('describes the webhook event exactly as it is sent', () => {
    const event = thinEvent(
      {
        eventId: 'e-1',
        eventType: CASE_STATUS_CHANGED,
        caseId: 'c-abc',
        status: 'in_review',
        previousStatus: 'submitted',
        occurredAt: '2025-03-01T08:00:00.000Z',
      },
      'https://api.changzhou.example.cn/prod',
    );
    const post = doc.webhooks[CASE_STATUS_CHANGED]!.post;
    const validate = new DocumentValidator(doc).validator(
      post.requestBody.content['application/json']!.schema,
    );
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    expect(post.parameters.map((p) => p.name).sort()).toEqual(
      [WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER].sort(),
    );
  });

  it('describes each department task event exactly as it is sent', () => {
    for (const eventType of TASK_EVENT_TYPES) {
      const event = thinEvent(
        {
          eventId: 'e-2',
          eventType,
          caseId: 'c-abc',
          taskId: 'c-abc.t.market-regulation.acceptance.1',
          kind: 'acceptance',
          departmentId: 'market-regulation',
          dueAt: '2025-03-05T09:59:59.999Z',
          occurredAt: '2025-03-01T08:00:00.000Z',
        },
        'https://api.changzhou.example.cn/prod',
      );
      const post = doc.webhooks[eventType]?.post;
      expect(post, `${eventType} is in the document's webhooks`).toBeDefined();
      const validate = new DocumentValidator(doc).validator(
        post!.requestBody.content['application/json']!.schema,
      );
      expect(validate(event), `${eventType} ${JSON.stringify(validate.errors)}`).toBe(true);
      // Each event's schema takes its own type only.
      expect(validate({ ...event, type: CASE_STATUS_CHANGED })).toBe(false);
      expect(post!.parameters.map((p) => p.name).sort()).toEqual(
        [WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER].sort(),
      );
    }
  });

  it('refuses to publish a route whose answer has no named schema, or a path it does not declare', () => {
    const base = httpRoutes.find((r) => r.name === 'get-case')!;
    expect(() =>
      buildOpenApiDocument([
        ...httpRoutes,
        {
          ...base,
          name: 'undocumented',
          path: '/v1/secret/{caseId}',
          responses: { 200: { description: 'x', schema: z.object({}) } },
        },
      ]),
    ).toThrow(/undocumented: its 200 response schema has no name/);
    expect(() =>
      buildOpenApiDocument([...httpRoutes, { ...base, name: 'stray', path: '/v1/stray/{other}' }]),
    ).toThrow(/stray: path parameters other/);
    expect(() => buildOpenApiDocument([...httpRoutes, { ...base, name: 'twice' }])).toThrow(
      /Two routes are GET/,
    );
  });
});

/** JSON does not know `readonly`: the views may build read-only arrays and objects. */
type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
/** Compiles only if every value `view` can return is accepted by `schema` (tsc checks, nothing runs). */
const describes =
  <S extends z.core.$ZodType>(_schema: S) =>
  <V extends DeepReadonly<z.input<S>>>(_view: (...args: never[]) => V) =>
    true;

describe('the response schemas', () => {
  it('accept every value the core views build (checked by tsc)', () => {
    expect(describes(CaseViewSchema)(caseView)).toBe(true);
    expect(describes(TaskViewSchema)(taskView)).toBe(true);
    expect(describes(CaseSubmittedSchema)(submissionView)).toBe(true);
    expect(describes(BundleListSchema.shape.items.def.element)(bundleSummary)).toBe(true);
    expect(describes(BundleDetailSchema)(bundleDetail)).toBe(true);
    expect(describes(GuideSchema)(guide)).toBe(true);
    expect(describes(ReductionMetricsSchema)(reductionMetrics)).toBe(true);
  });
});
