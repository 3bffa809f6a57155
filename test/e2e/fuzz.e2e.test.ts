/**
 * Fuzzing every route of functions/routes.ts from the OpenAPI document itself: path parameters,
 * queries, headers and bodies are generated from the request schemas the document publishes —
 * valid ones, and corruptions of them (missing fields, wrong types, extra and hostile keys, huge
 * and exotic strings, other JSON types, malformed JSON text, wrong or missing content types, empty
 * and oversized bodies) — always with valid credentials for the route's caller, so the requests
 * reach the handlers. Whatever is sent:
 *
 *  - never a 5xx;
 *  - always a JSON body; every error is application/problem+json whose `status` is the HTTP status;
 *  - every answer is one the document describes, for that route and status (ajv).
 *
 * Bounded (RUNS per route) to stay well under 30 s. Seeds are fixed: FUZZ_SEED=<n> replays a run
 * and FUZZ_RUNS=<n> runs longer; a failure prints the seed, the path and the request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument, Operation, Parameter } from '../../adapters/http/openapi.ts';
import { httpRoutes } from '../../functions/routes.ts';
import { DocumentValidator } from '../api/openapi-validator.ts';
import { corrupted, hostileString, type Schema, valid } from '../api/schema-arbitrary.ts';
import { as, BUNDLE, fillPath, issuedCase, LEAD, pendingCase, type Route, remote } from './routes-client.ts';
import { call, target } from './target.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
/** The fuzzing portal: B, so that portal A's webhook quota and cases are left to the other tests. */
const PORTAL = 1;

let doc: OpenApiDocument;
let validator: DocumentValidator;
/** Real ids of portal B's and the lead department's resources, so that some requests go deep. */
let known: Record<string, string[]>;
const webhooksToDelete = new Set<string>();
const statuses = new Map<string, Map<number, number>>();

const resolve = (ref: string): Schema => {
  const id = ref.replace('#/components/schemas/', '');
  const schema = doc.components.schemas[id];
  if (!schema) throw new Error(`unresolved ${ref}`);
  return schema;
};

/**
 * Webhook URLs without DNS: resolving random host names would make the run slow and depend on the
 * network. IP literals exercise the same rules (public, private, metadata, IPv6, credentials).
 */
const webhookUrls = fc.oneof(
  fc.constantFrom(
    'http://127.0.0.1:9/fuzz',
    'https://1.1.1.1/fuzz',
    'https://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'https://[::1]/',
    'https://user:pass@1.1.1.1/',
    'ftp://1.1.1.1/',
    'javascript:alert(1)',
    'https://1.1.1.1:99999/',
  ),
  fc.webPath().map((p) => `https://8.8.8.8/${p}`),
);

interface FuzzRequest {
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: { text: string; contentType?: string };
  /** What was done to it, for the failure message. */
  label: string;
}

function parameterArbitrary(p: Parameter): fc.Arbitrary<string | undefined> {
  const fromSchema = valid(p.schema, resolve).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  // Lone surrogates cannot be put in a URL at all: replaced, as any client library would.
  const wellFormed = (v: string | undefined) =>
    v === undefined ? v : Buffer.from(v, 'utf8').toString('utf8');
  const ids = known[p.name] ?? [];
  const options: fc.Arbitrary<string | undefined>[] = [
    fromSchema,
    hostileString,
    fc.string({ maxLength: 300 }),
  ];
  if (ids.length) options.unshift(fc.constantFrom(...ids), fc.constantFrom(...ids));
  if (p.in !== 'path')
    options.push(fc.constant(undefined), fc.constantFrom('', '-1', '0', '1e3', 'abc', '9'.repeat(40)));
  return fc.oneof(...options).map(wellFormed);
}

function bodyArbitrary(
  name: string,
  op: Operation,
): fc.Arbitrary<{ text: string; contentType?: string; label: string }> {
  const schema = op.requestBody!.content['application/json']!.schema;
  const overrides = new Map(name === 'create-webhook' ? [['/url', webhookUrls]] : []);
  const good = valid(schema, resolve, overrides);
  const json = (label: string) => (value: unknown) => ({
    text: JSON.stringify(value),
    contentType: 'application/json',
    label,
  });
  return fc.oneof(
    { weight: 3, arbitrary: good.map(json('valid body')) },
    {
      weight: 5,
      arbitrary: corrupted(good).map(({ value, corruption }) =>
        json(`corrupted body (${JSON.stringify(corruption).slice(0, 120)})`)(value),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(good, fc.nat(), fc.constantFrom('truncated', 'trailing', 'bom', 'single-quotes', 'deep'))
        .map(([value, cut, how]) => {
          const text = JSON.stringify(value);
          const malformed = {
            truncated: text.slice(0, cut % Math.max(1, text.length)),
            trailing: `${text},`,
            bom: `\uFEFF${text}`,
            'single-quotes': text.replace(/"/g, "'"),
            deep: `${'['.repeat(5000)}${']'.repeat(5000)}`,
          }[how];
          return { text: malformed, contentType: 'application/json', label: `malformed JSON (${how})` };
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          good,
          fc.constantFrom(
            undefined,
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'application/jsonx',
            'APPLICATION/JSON',
          ),
        )
        .map(([value, contentType]) => ({
          text: JSON.stringify(value),
          ...(contentType ? { contentType } : {}),
          label: `content type ${contentType ?? '(none)'}`,
        })),
    },
    { weight: 1, arbitrary: fc.constant({ text: '', contentType: 'application/json', label: 'empty body' }) },
  );
}

function requestArbitrary(route: Route, op: Operation): fc.Arbitrary<FuzzRequest> {
  const params = (op.parameters ?? []) as Parameter[];
  const byIn = (where: Parameter['in']) => params.filter((p) => p.in === where);
  const pathParams = fc.record(Object.fromEntries(byIn('path').map((p) => [p.name, parameterArbitrary(p)])));
  const queryParams = fc.record(
    Object.fromEntries(byIn('query').map((p) => [p.name, parameterArbitrary(p)])),
  );
  const headerParams = fc.record(
    Object.fromEntries(
      byIn('header').map((p) => [
        p.name,
        // Header values must be Latin-1 to be sent at all.
        fc
          .oneof(parameterArbitrary(p), fc.string({ unit: 'binary-ascii', maxLength: 300 }))
          .map((v) => (v === undefined ? undefined : v.replace(/[^\x20-\x7e]/g, ''))),
      ]),
    ),
  );
  const extraQuery = fc.array(
    fc.tuple(fc.constantFrom('services', 'status', 'limit', 'x', 'callback', '__proto__'), hostileString),
    {
      maxLength: 2,
    },
  );
  const body = op.requestBody
    ? bodyArbitrary(route.name, op).map((b) => b as FuzzRequest['body'] & { label: string })
    : fc.constant(undefined);
  return fc
    .tuple(pathParams, queryParams, headerParams, extraQuery, body)
    .map(([path, query, headers, extra, b]) => {
      // "", "." and ".." cannot be a path segment's value: URLs drop or resolve them before any
      // server sees them (fetch and API Gateway alike), so they would test the router, not the route.
      const pathValues = Object.fromEntries(
        Object.entries(path).map(([k, v]) => [k, v === undefined || /^\.{0,2}$/.test(v) ? `x${v ?? ''}` : v]),
      );
      return {
        path: fillPath(route.path, pathValues),
        query: [...Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined), ...extra],
        headers: {
          ...Object.fromEntries(
            Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined),
          ),
          ...(b?.contentType ? { 'content-type': b.contentType } : {}),
        },
        ...(b ? { body: { text: b.text } } : {}),
        label: b ? (b as { label: string }).label : 'no body',
      };
    });
}

/**
 * Valid credentials for the route's caller, added when sending: kept out of the generated values,
 * so that a printed counterexample never carries a key or a token.
 */
const credentials = (route: Route): Record<string, string> =>
  route.caller === 'portal'
    ? as.portal(PORTAL)
    : route.caller === 'department'
      ? as.department(LEAD)
      : route.caller === 'hotline'
        ? { authorization: `Bearer ${target().credentials.hotline!.token}` }
        : {};

async function send(route: Route, r: FuzzRequest) {
  const qs = r.query.length ? `?${new URLSearchParams(r.query)}` : '';
  return call(route.method, `${r.path}${qs}`, {
    headers: { ...r.headers, ...credentials(route) },
    ...(r.body ? { rawBody: r.body.text } : {}),
  });
}

/** Everything wrong with one answer (empty when it keeps the contract). */
function broken(route: Route, res: Awaited<ReturnType<typeof send>>): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`5xx: ${res.status}`);
  if (typeof res.body !== 'object' || res.body === null)
    problems.push(`not a JSON body: ${String(res.body).slice(0, 200)}`);
  const type = res.headers.get('content-type') ?? '';
  if (res.status >= 400) {
    if (!type.startsWith('application/problem+json')) problems.push(`error with content type "${type}"`);
    if (res.body?.status !== res.status) problems.push(`problem status ${res.body?.status} ≠ ${res.status}`);
  }
  problems.push(
    ...validator.check(route.method, route.path, { status: res.status, contentType: type, body: res.body })
      .problems,
  );
  return problems;
}

beforeAll(async () => {
  doc = (await call('GET', '/v1/openapi.json')).body as OpenApiDocument;
  validator = new DocumentValidator(doc);
  const [pending, issued] = await Promise.all([pendingCase(PORTAL), issuedCase(PORTAL)]);
  const hook = await call('POST', '/v1/webhooks', {
    headers: as.portal(PORTAL),
    body: { url: remote ? 'https://1.1.1.1/fuzz' : 'http://127.0.0.1:9/fuzz' },
  });
  if (hook.status === 201) webhooksToDelete.add(hook.body.id);
  known = {
    bundleId: [BUNDLE],
    caseId: [pending.caseId, issued.caseId],
    materialId: pending.materialIds,
    taskId: [pending.taskId],
    licenseId: issued.licenseIds,
    departmentId: [LEAD],
    webhookId: hook.status === 201 ? [hook.body.id] : [],
    services: [
      'enterprise-establishment-registration',
      'enterprise-establishment-registration,company-seal-filing',
    ],
  };
}, 60_000);

afterAll(async () => {
  const listed = await call('GET', '/v1/webhooks', { headers: as.portal(PORTAL) });
  for (const w of (listed.body?.items ?? []) as { id: string; url: string }[])
    if (webhooksToDelete.has(w.id) || /fuzz|8\.8\.8\.8|1\.1\.1\.1/.test(w.url))
      await call('DELETE', `/v1/webhooks/${w.id}`, { headers: as.portal(PORTAL) });
  const summary = [...statuses].map(
    ([name, s]) =>
      `${name}: ${[...s]
        .sort((a, b) => a[0] - b[0])
        .map(([k, n]) => `${k}×${n}`)
        .join(' ')}`,
  );
  console.info(`fuzz (seed ${SEED}, ${RUNS} runs per route):\n  ${summary.join('\n  ')}`);
});

describe('fuzzing every route from the OpenAPI document', () => {
  it.each(httpRoutes.map((r, i) => [`${r.method} ${r.path}`, r, i] as const))(
    '%s never answers 5xx, and always as the document says',
    async (_, route, index) => {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.name} is not in the document`).toBeDefined();
      const seen = new Map<number, number>();
      statuses.set(route.name, seen);
      const seed = SEED + index;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route, op!), async (request) => {
          const res = await send(route, request);
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          if (route.name === 'create-webhook' && res.status === 201) {
            webhooksToDelete.add(res.body.id);
            await call('DELETE', `/v1/webhooks/${res.body.id}`, { headers: as.portal(PORTAL) });
          }
          const problems = broken(route, res);
          if (problems.length)
            throw new Error(
              `${route.method} ${request.path} [${request.label}] → ${res.status}\n${problems.join('\n')}\nbody: ${JSON.stringify(res.body).slice(0, 600)}`,
            );
        }),
        // No shrinking: each step is an HTTP call; the seed and path replay the failure.
        { seed, numRuns: RUNS, endOnFailure: true },
      );
    },
  );
});

describe('paths that a URL library would not produce', () => {
  it.each(httpRoutes.filter((r) => r.path.includes('{')).map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s answers malformed percent-encoding with a documented problem',
    async (_, route) => {
      // Raw, not encoded again: "%E0%A4%A" is a truncated UTF-8 sequence, "%zz" no escape at all.
      for (const raw of ['%E0%A4%A', '%zz', '%C0%AE']) {
        const res = await call(route.method, route.path.replace(/\{\w+\}/g, raw), {
          headers: { ...credentials(route), 'content-type': 'application/json' },
          ...(route.method === 'POST' ? { rawBody: '{}' } : {}),
        });
        expect(broken(route, res), `${raw} → ${res.status} ${JSON.stringify(res.body)}`).toEqual([]);
      }
    },
  );
});

describe('cursors forged to look like ours', () => {
  it('answers a cursor of the right listing with wrong keys with a documented problem', async () => {
    const route = httpRoutes.find((r) => r.name === 'list-tasks')!;
    const pk = `DEPT#${LEAD}#pending`;
    const forged = [
      { gsi1pk: pk },
      { gsi1pk: pk, gsi1sk: 42 },
      { gsi1pk: pk, gsi1sk: 'x', pk: 'y', sk: { S: 'z' } },
      { gsi1pk: pk, gsi1sk: 'x', pk: 'y', sk: 'z', extra: 'w' },
      { gsi1pk: pk, __proto__: { polluted: true } },
    ];
    // The control: a cursor we gave out still pages on (the issued fixture left two approved tasks).
    const first = await call('GET', `/v1/departments/${LEAD}/tasks?status=approved&limit=1`, {
      headers: credentials(route),
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await call(
      'GET',
      `/v1/departments/${LEAD}/tasks?status=approved&limit=1&cursor=${first.body.nextCursor}`,
      { headers: credentials(route) },
    );
    expect(next.status).toBe(200);
    expect(broken(route, next)).toEqual([]);
    for (const key of forged) {
      const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
      const res = await call('GET', `/v1/departments/${LEAD}/tasks?cursor=${cursor}`, {
        headers: credentials(route),
      });
      expect(
        broken(route, res),
        `${JSON.stringify(key)} → ${res.status} ${JSON.stringify(res.body)}`,
      ).toEqual([]);
    }
  });
});
