/**
 * A store outage is reported as what it is (issue 10, defect 4): with DynamoDB down, testers got
 * 401 "send a valid x-api-key" on every authenticated route, and /v1/health said ok. Now the
 * authorizer fails instead of refusing, which API Gateway (a Gateway Response) and the dev server
 * both answer with 503 problem+json and Retry-After, before any handler runs; health names the
 * dependency that is down. Local only: it kills the DynamoDB Local of a stack of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildStack, childStack, http } from '../support/child-stack.ts';
import { isLocalTarget } from './target.ts';

let stack: ChildStack;
let portalKey: string;
let applicantToken: string;
let departmentToken: string;

beforeAll(async () => {
  if (!isLocalTarget()) return;
  stack = await childStack();
  await stack.start();
  const creds = stack.credentials();
  portalKey = creds.portals[0]!.apiKey;
  // Submitting acts for an applicant: the enterprise's token beside the key.
  applicantToken = creds.applicants!.find((a) => a.kind === 'organisation')!.token;
  departmentToken = creds.departments.find((d) => d.id === 'market-regulation')!.token;
  // Up first: the same credentials are good.
  expect((await http(stack.baseUrl, 'GET', '/v1/webhooks', { 'x-api-key': portalKey })).status).toBe(200);
  expect((await http(stack.baseUrl, 'GET', '/v1/health')).status).toBe(200);
  // Then DynamoDB Local goes away (its watchdog shell and the Java process).
  for (const pid of stack.dynamoDbPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}, 90_000);

afterAll(async () => {
  await stack?.dispose();
});

const expectOutage = (res: { status: number; headers: Headers; body: Record<string, unknown> }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.body).toMatchObject({ status: 503, code: 'unavailable' });
  expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/i); // no internals
};

describe.skipIf(!isLocalTarget())('with DynamoDB down', () => {
  it('answers 503 with Retry-After, not 401, to a portal with a valid key', async () => {
    expectOutage(await http(stack.baseUrl, 'GET', '/v1/webhooks', { 'x-api-key': portalKey }));
  });

  it('answers 503 to a portal submitting a case, whether its credential was cached or not', async () => {
    const res = await http(
      stack.baseUrl,
      'POST',
      '/v1/cases',
      { 'x-api-key': portalKey, authorization: `Bearer ${applicantToken}`, 'idempotency-key': randomUUID() },
      { bundleId: 'enterprise-opening' },
    );
    // The key was used before the outage, so its authorizer answer is cached (as in API Gateway):
    // the request reaches the handler, whose store call fails — a 503 with Retry-After all the same.
    expectOutage(res);
  });

  it('answers 503 to a department whose valid token cannot be checked against revocations', async () => {
    expectOutage(
      await http(stack.baseUrl, 'GET', '/v1/departments/market-regulation/tasks', {
        authorization: `Bearer ${departmentToken}`,
      }),
    );
  });

  it('still answers 401 to a token that is invalid whatever the store says', async () => {
    const res = await http(stack.baseUrl, 'GET', '/v1/departments/market-regulation/tasks', {
      authorization: 'Bearer not.a.token',
    });
    expect(res.status).toBe(401);
  });

  it('reports the database down in /v1/health (503, naming it) while the catalog is still served', async () => {
    const health = await http(stack.baseUrl, 'GET', '/v1/health');
    expectOutage(health);
    expect(health.body.errors).toEqual([
      expect.objectContaining({ path: '/dependencies/database', code: 'unavailable' }),
    ]);
    expect((await http(stack.baseUrl, 'GET', '/v1/bundles')).status).toBe(200);
  });
});
