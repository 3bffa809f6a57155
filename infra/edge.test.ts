/**
 * What the deployed edge answers before any handler runs, read from the synthesized template
 * (issue 10): an authorizer that cannot check credentials is an outage (503 + Retry-After), not a
 * bare 500 (defect 4); the files bucket lets a browser send every header a presigned upload signs
 * (defect 11).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZER_UNAVAILABLE, GATEWAY_PROBLEMS } from '../adapters/http/gateway-responses.ts';
import { testStack } from './test-stack.ts';

type Json = Record<string, unknown>;
let resources: Record<string, { Type: string; Properties: Json }>;

beforeAll(() => {
  resources = testStack().template.toJSON().Resources;
}, 60_000);

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('Gateway Responses', () => {
  it('answers 503 problem+json with Retry-After when the authorizer fails or cannot be reached', () => {
    for (const type of ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR']) {
      const response = ofType('AWS::ApiGateway::GatewayResponse').find(
        (r) => r.Properties.ResponseType === type,
      );
      expect(response, type).toBeDefined();
      const p = response!.Properties as {
        StatusCode: string;
        ResponseParameters: Record<string, string>;
        ResponseTemplates: Record<string, string>;
      };
      expect(p.StatusCode).toBe('503');
      expect(p.ResponseParameters['gatewayresponse.header.Retry-After']).toBe(
        `'${AUTHORIZER_UNAVAILABLE.headers['retry-after']}'`,
      );
      expect(p.ResponseParameters['gatewayresponse.header.Content-Type']).toBe("'application/problem+json'");
      expect(p.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'*'");
      const body = JSON.parse(p.ResponseTemplates['application/json']!) as Json;
      expect(body).toEqual({ ...AUTHORIZER_UNAVAILABLE.problem, instance: '$context.requestId' });
    }
  });
});

describe('Gateway Responses: one problem shape', () => {
  const responseOf = (type: string) =>
    ofType('AWS::ApiGateway::GatewayResponse').find((r) => r.Properties.ResponseType === type)!
      .Properties as {
      StatusCode: string;
      ResponseParameters: Record<string, string>;
      ResponseTemplates: Record<string, string>;
    };

  it.each([
    ['UNAUTHORIZED', '401', 'unauthorized'],
    ['ACCESS_DENIED', '403', 'forbidden'],
    ['INVALID_API_KEY', '403', 'forbidden'],
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'not_found'],
    ['THROTTLED', '429', 'too_many_requests'],
  ])('answers %s as the project’s problem+json (%s %s) with instance and CORS', (type, status, code) => {
    const p = responseOf(type);
    expect(p.StatusCode).toBe(status);
    const body = JSON.parse(p.ResponseTemplates['application/json']!) as Json;
    expect(body).toMatchObject({
      type: `https://yijianshi.dev/problems/${code}`,
      status: Number(status),
      code,
      instance: '$context.requestId',
    });
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    expect(body).toEqual({
      ...GATEWAY_PROBLEMS[type as keyof typeof GATEWAY_PROBLEMS].problem,
      instance: '$context.requestId',
    });
    // Header names are case-insensitive (the stack writes e.g. Www-Authenticate).
    const header = (name: string) =>
      Object.entries(p.ResponseParameters).find(
        ([k]) => k.toLowerCase() === `gatewayresponse.header.${name}`.toLowerCase(),
      )?.[1];
    expect(header('Content-Type')).toBe("'application/problem+json'");
    expect(header('Content-Language')).toBe("'zh-CN'");
    expect(header('Access-Control-Allow-Origin')).toBe("'*'");
    expect(header('Access-Control-Expose-Headers')).toContain('www-authenticate');
    if (status === '401') {
      expect(header('WWW-Authenticate')).toContain('Bearer realm="yijianshi"');
      expect(header('WWW-Authenticate')).toContain('ApiKey');
    } else expect(header('WWW-Authenticate')).toBeUndefined();
  });
});

describe('the files bucket', () => {
  it('lets a browser send every header a presigned material upload signs', async () => {
    // The product's own presigner (no network: signing is local), configured after the synth.
    Object.assign(process.env, {
      AWS_REGION: 'cn-north-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      BUCKET_NAME: 'files',
      TABLE_NAME: 'unused',
      CITY_ID: 'changzhou',
      CATALOG_FILE: 'unused',
    });
    const { presignUpload } = await import('#adapters/s3/material-files.ts');
    const upload = await presignUpload('materials/2026-12/m-1', { contentType: 'application/pdf', size: 10 });
    const signed = (new URL(upload.url).searchParams.get('X-Amz-SignedHeaders') ?? '').split(';');
    // host is the browser's own; every other signed header is one the client must send.
    const mustSend = signed.filter((h) => h !== 'host');
    expect(mustSend).toEqual(expect.arrayContaining(Object.keys(upload.headers)));

    const buckets = ofType('AWS::S3::Bucket').filter((b) => b.Properties.CorsConfiguration);
    expect(buckets).toHaveLength(1);
    const rules = (
      buckets[0]!.Properties.CorsConfiguration as {
        CorsRules: { AllowedHeaders: string[]; AllowedMethods: string[] }[];
      }
    ).CorsRules;
    const putRules = rules.filter((r) => r.AllowedMethods.includes('PUT'));
    const allowed = (header: string) =>
      putRules.some((r) =>
        r.AllowedHeaders.some((p) => (p.endsWith('*') ? header.startsWith(p.slice(0, -1)) : p === header)),
      );
    expect(mustSend.filter((h) => !allowed(h))).toEqual([]);
    expect(mustSend).toContain('if-none-match');
  });

  it('has the CORS rule the local emulator enforces', async () => {
    const { FILES_BUCKET_CORS } = await import('../adapters/s3/cors.ts');
    const bucket = ofType('AWS::S3::Bucket').find((b) => b.Properties.CorsConfiguration)!;
    expect((bucket.Properties.CorsConfiguration as { CorsRules: unknown[] }).CorsRules).toEqual([
      {
        AllowedOrigins: [...FILES_BUCKET_CORS.allowedOrigins],
        AllowedMethods: [...FILES_BUCKET_CORS.allowedMethods],
        AllowedHeaders: [...FILES_BUCKET_CORS.allowedHeaders],
        ExposedHeaders: [...FILES_BUCKET_CORS.exposedHeaders],
        MaxAge: FILES_BUCKET_CORS.maxAgeSeconds,
      },
    ]);
  });
});
