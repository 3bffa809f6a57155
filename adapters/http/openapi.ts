/**
 * Builds the OpenAPI 3.1 document from the routes' specs (the `route` export of every
 * functions/*.handler.ts, collected by functions/routes.ts): every schema in it comes out of
 * `z.toJSONSchema` (draft 2020-12, the dialect of OpenAPI 3.1) — request bodies, parameters and
 * headers as the handlers accept them (io: 'input': a field with a default may be omitted),
 * responses as they are sent (io: 'output'). Every status a route can answer is listed: its own
 * successes and problems, and the generic ones its shape implies (401 for a credential, 413/415 for
 * a body…).
 *
 * The document is built at deploy time (infra) and at `npm start` (local), and served as a file by
 * functions/get-openapi.handler.ts: the Lambda carries no schema.
 */
import * as z from 'zod/mini';
import { takesIdempotencyKey } from './handler.ts';
import { exampleOf } from './openapi-examples.ts';
import type { AnyRouteSpec, CallerKind, ResponseSpec } from './route.ts';
import { COMPONENT_DESCRIPTIONS, components, PARAMETER_DESCRIPTIONS, webhookContracts } from './schemas.ts';
import { TAGS, type Tag } from './tags.ts';

type ApiRoute = AnyRouteSpec;
type RouteContract = AnyRouteSpec;

export type OpenApiDocument = {
  openapi: string;
  info: Record<string, unknown>;
  servers: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: WebhookOperation }>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
};
export type JsonSchema = Record<string, unknown>;
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; description: string; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, Response>;
}
export interface WebhookOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: [];
  parameters: Parameter[];
  requestBody: { required: true; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string }>;
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  /** A list in a query: `?services=a,b` (style form, explode false). */
  style?: 'form';
  explode?: false;
  schema: JsonSchema;
}
export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  /** Absent on a 304 (no body). */
  content?: Record<string, { schema: JsonSchema }>;
}

export const API_VERSION = '1.0.0';
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

export const SECURITY_SCHEMES = {
  portalApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'A portal’s API key. A portal sees only the cases and materials it created.',
  },
  applicantToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'The applicant’s access token from the city’s identity provider (统一身份认证, OpenID Connect; a JWT for this API’s audience, verified against the provider’s JWKS), sent beside the portal’s x-api-key. Locally: `npm run applicant-token -- chen-jing`.',
  },
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A department’s token (HS256, per city). A department sees and decides only its own tasks.',
  },
} as const;

const SECURITY: Record<CallerKind, Record<string, string[]>[]> = {
  public: [],
  portal: [{ portalApiKey: [] }],
  // Both together: the portal, and the applicant it acts for.
  applicant: [{ portalApiKey: [], applicantToken: [] }],
  department: [{ bearerAuth: [] }],
  hotline: [{ bearerAuth: [] }],
};

/** zod's per-schema envelope is not wanted inside an OpenAPI document. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** The named schemas (adapters/http/schemas.ts `component`) of one side, converted together. */
function componentSchemas(
  schemas: ReadonlyMap<z.core.$ZodType, string>,
  io: 'input' | 'output',
): { json: Record<string, JsonSchema>; ids: Map<z.core.$ZodType, string> } {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of schemas) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` });
  const json = Object.fromEntries(
    Object.entries(out.schemas).map(([id, schema]) => [id, bare(schema as JsonSchema)]),
  );
  return { json, ids: new Map(schemas) };
}

/** Path, query or header parameters from a zod object, as the handler accepts them. */
function parameters(where: Parameter['in'], shape: z.core.$ZodObject | undefined): Parameter[] {
  if (!shape) return [];
  const object = z.toJSONSchema(shape, { io: 'input' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name: where === 'header' ? name.replace(/(^|-)([a-z])/g, (c) => c.toUpperCase()) : name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      // A list is sent comma-separated, as the handlers split it.
      ...(where === 'query' && rest.type === 'array'
        ? { style: 'form' as const, explode: false as const }
        : {}),
      schema: rest,
    };
  });
}

const problem = (description: string, headers?: Response['headers']): Response => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [PROBLEM_MEDIA_TYPE]: { schema: ref('Problem') } },
});

/** On a 429 or 503: when to try again. */
const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again (RFC 9110 §10.2.3).',
    schema: { type: 'integer', minimum: 1, examples: [5] },
  },
};

/** The optional Idempotency-Key of every POST the generic mechanism serves (adapters/http/handler.ts). */
const IDEMPOTENCY_KEY_PARAMETER: Parameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Chosen by the caller, e.g. a UUID (IETF draft-ietf-httpapi-idempotency-key-header). Sent again with the same request within 24 h, the first success is answered again with `Idempotent-Replayed: true`; with another request it is refused (422 `idempotency_key_reused`); while the first still runs, 409 `idempotency_key_in_use` with Retry-After. A refused request leaves the key free. Keys are per caller.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};

/** A cacheable route's conditional request (RouteSpec `cache`, adapters/http/handler.ts). */
const IF_NONE_MATCH_PARAMETER: Parameter = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description:
    'The ETag of the answer the caller holds: still current, the answer is 304 Not Modified, without a body.',
  schema: { type: 'string', maxLength: 1024 },
};

/** On the 200 of a cacheable route. */
const CACHE_HEADERS = (maxAgeSeconds: number) => ({
  'Cache-Control': {
    description: `public, max-age=${maxAgeSeconds}: the answer changes only with a new catalog (a deployment).`,
    schema: z.string(),
  },
  ETag: {
    description:
      "The answer's SHA-256 (base64url, quoted): send it as If-None-Match to be answered 304 while it holds.",
    schema: z.string(),
  },
});

/** Response headers as the document lists them: each one's description and JSON Schema. */
function documentedHeaders(
  headers: Readonly<Record<string, { readonly description: string; readonly schema: z.core.$ZodType }>>,
): NonNullable<Response['headers']> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, h]) => [
      name,
      { description: h.description, schema: bare(z.toJSONSchema(h.schema, { io: 'output' })) },
    ]),
  );
}

/** On a 2xx answer of a request that sent an Idempotency-Key. */
const IDEMPOTENT_REPLAYED_HEADER = {
  'Idempotent-Replayed': {
    description: '"true" when this answers a retry with the same Idempotency-Key (the first answer, again).',
    schema: z.enum(['true', 'false']),
  },
};

/** The problems every route of a shape can answer, beside those the contract names. */
function problemResponses(route: ApiRoute, c: RouteContract): Record<string, Response> {
  const own = c.problems ?? {};
  const takesInput = Boolean(c.body || c.params || c.query || c.headers);
  const generic: Record<string, string | undefined> = {
    400:
      [
        c.headers ? 'A required header is missing or malformed.' : '',
        c.body ? 'The body is empty or not JSON.' : '',
        c.params ? 'The path is not valid percent-encoded UTF-8.' : '',
      ]
        .filter(Boolean)
        .join(' ') || undefined,
    401:
      route.caller === 'portal'
        ? 'The x-api-key header is missing or not a valid key.'
        : route.caller === 'applicant'
          ? 'The x-api-key header is missing or not a valid key, or the applicant’s token is missing or refused (expired, wrong issuer or audience, too low an assurance level…); the `WWW-Authenticate` header says why (RFC 6750, RFC 9470).'
          : route.caller === 'department'
            ? 'The bearer token is missing, invalid, expired or revoked (or the caller is not a department).'
            : route.caller === 'hotline'
              ? 'The bearer token is missing, invalid, expired or revoked (or is not the 12345 hotline’s).'
              : undefined,
    413: c.body ? 'The body exceeds 256 KiB.' : undefined,
    415: c.body ? 'The body is not sent as application/json.' : undefined,
    422: takesInput ? 'The request breaks the declared shape: every problem listed in `errors`.' : undefined,
  };
  // Every POST's Idempotency-Key (adapters/http/handler.ts): a retry while the first runs, another request with the key.
  const keyed = takesIdempotencyKey(route)
    ? {
        400: 'The Idempotency-Key header is malformed.',
        409: 'A request with the same Idempotency-Key is still being processed (`idempotency_key_in_use`): retry after `Retry-After` seconds to get its answer.',
        422: 'The Idempotency-Key was used before with another request (`idempotency_key_reused`).',
      }
    : {};
  // What API Gateway itself answers before the route runs (adapters/http/gateway-responses.ts).
  if (route.caller !== 'public')
    generic[403] =
      route.caller === 'portal' || route.caller === 'applicant'
        ? 'Refused before the route runs (`forbidden`): the API key belongs to no usage plan of this stage, or the authorizer denied the credential this route.'
        : 'Refused before the route runs (`forbidden`): the authorizer denied the credential this route.';
  const out: Record<string, Response> = {};
  for (const status of [400, 401, 403, 404, 409, 413, 415, 422] as const) {
    const text = [
      (own as Record<number, string | undefined>)[status] ?? generic[status],
      keyed[status as 400],
    ]
      .filter(Boolean)
      .join(' ');
    if (text) out[status] = problem(text);
  }
  out[429] = problem(
    [
      (own as Record<number, string | undefined>)[429],
      'Too many requests: throttled per stage, and per portal usage plan (`too_many_requests`).',
    ]
      .filter(Boolean)
      .join(' '),
    RETRY_AFTER,
  );
  // A route that reads or writes a dependency, or whose credentials the authorizer checks against one.
  if (route.caller !== 'public' || route.needs)
    out[503] = problem(
      'A dependency (database, storage, workflow, the identity provider) is unavailable (`unavailable`): nothing was done; retry after `Retry-After` seconds.',
      RETRY_AFTER,
    );
  out['5XX'] = problem(
    'An internal error (`internal`, never with details): quote `instance` when reporting it.',
  );
  return out;
}

function operation(
  route: ApiRoute,
  c: RouteContract,
  requestIds: Map<z.core.$ZodType, string>,
  responseIds: Map<z.core.$ZodType, string>,
): Operation {
  const idOf = (ids: Map<z.core.$ZodType, string>, schema: z.core.$ZodType, what: string) => {
    const id = ids.get(schema);
    if (!id)
      throw new Error(
        `${route.name}: its ${what} schema has no name: give it one with component(id, schema) (adapters/http/schemas.ts)`,
      );
    return id;
  };
  const params = [
    ...parameters('path', c.params),
    ...parameters('query', c.query),
    ...parameters('header', c.headers),
    ...(takesIdempotencyKey(route) ? [IDEMPOTENCY_KEY_PARAMETER] : []),
    ...(route.cache ? [IF_NONE_MATCH_PARAMETER] : []),
  ];
  const declared = new Set(params.filter((p) => p.in === 'path').map((p) => p.name));
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (inPath.length !== declared.size || inPath.some((p) => !declared.has(p)))
    throw new Error(`${route.name}: path parameters ${inPath.join(', ')} do not match its contract's params`);

  const responses: Record<string, Response> = {};
  for (const [status, r] of Object.entries(c.responses as Record<string, ResponseSpec>)) {
    const headers = {
      ...r.headers,
      ...(takesIdempotencyKey(route) && status.startsWith('2') ? IDEMPOTENT_REPLAYED_HEADER : {}),
      ...(route.cache && status === '200' ? CACHE_HEADERS(route.cache.maxAgeSeconds) : {}),
    };
    responses[status] = {
      description: r.description,
      ...(Object.keys(headers).length ? { headers: documentedHeaders(headers) } : {}),
      content: { 'application/json': { schema: ref(idOf(responseIds, r.schema, `${status} response`)) } },
    };
  }
  if (route.cache)
    responses['304'] = {
      description: 'Not modified: the ETag sent in If-None-Match is still current (no body).',
      headers: documentedHeaders(CACHE_HEADERS(route.cache.maxAgeSeconds)),
    };
  Object.assign(responses, problemResponses(route, c));

  return {
    operationId: route.name.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()),
    summary: c.summary,
    ...(c.description ? { description: c.description } : {}),
    tags: [...c.tags],
    security: SECURITY[route.caller],
    ...(params.length ? { parameters: params } : {}),
    ...(c.body
      ? {
          requestBody: {
            // A body whose schema accepts {} may be left out (the handler reads none as {}).
            required: !c.body.schema.safeParse({}).success,
            description: c.body.description,
            content: { 'application/json': { schema: ref(idOf(requestIds, c.body.schema, 'body')) } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The document for `routes`. Throws when a route's spec does not
 * fit the route (path parameters, unlisted schemas): an undocumented route is never published.
 */
export function buildOpenApiDocument(
  routes: readonly AnyRouteSpec[],
  options: { serverUrl?: string } = {},
): OpenApiDocument {
  // Bodies are requests (as accepted); every other named schema is a response (as sent).
  const bodies = new Set(routes.flatMap((r) => (r.body ? [r.body.schema as z.core.$ZodType] : [])));
  const named = (want: boolean) => new Map([...components].filter(([schema]) => bodies.has(schema) === want));
  const requests = componentSchemas(named(true), 'input');
  const responses = componentSchemas(named(false), 'output');
  const clash = Object.keys(requests.json).filter((id) => id in responses.json);
  if (clash.length) throw new Error(`Component names used for both a request and a response: ${clash}`);

  const paths: Record<string, Record<string, Operation>> = {};
  const used = new Set<Tag>();
  for (const route of routes) {
    for (const t of route.tags) used.add(t);
    paths[route.path] ??= {};
    if (paths[route.path]![route.method.toLowerCase()])
      throw new Error(`Two routes are ${route.method} ${route.path}`);
    paths[route.path]![route.method.toLowerCase()] = operation(route, route, requests.ids, responses.ids);
  }

  const webhooks: OpenApiDocument['webhooks'] = {};
  for (const [name, w] of Object.entries(webhookContracts)) {
    for (const t of w.tags) used.add(t);
    const id = responses.ids.get(w.body);
    if (!id) throw new Error(`webhook ${name}: its body schema has no name (component(id, schema))`);
    webhooks[name] = {
      post: {
        operationId: name.replace(/[._-]([a-z])/g, (_, ch: string) => ch.toUpperCase()),
        summary: w.summary,
        description: w.description,
        tags: [...w.tags],
        security: [],
        parameters: Object.entries(w.headers).map(([header, h]) => ({
          name: header,
          in: 'header' as const,
          required: true,
          description: h.description,
          schema: bare(z.toJSONSchema(h.schema, { io: 'output' })),
        })),
        requestBody: { required: true, content: { 'application/json': { schema: ref(id) } } },
        responses: {
          '2XX': { description: 'Received: the delivery is done.' },
          '4XX': { description: 'Not received: retried with backoff, then dead-lettered.' },
          '5XX': { description: 'Not received: retried with backoff, then dead-lettered.' },
        },
      },
    };
  }

  const schemas = documented({ ...requests.json, ...responses.json }, paths, webhooks);

  return {
    openapi: '3.1.1',
    info: {
      title: '一件事一次办 API',
      version: API_VERSION,
      summary: 'Apply once for a bundle of government services; departments review in parallel.',
      description: [
        'Portals (x-api-key) submit one application for a bundle (一件事) — one merged form, one set of',
        'materials — and departments (bearer token) accept, review in parallel and decide; every result',
        'is issued together as signed e-licenses. Errors are RFC 9457 problem details (`application/problem+json`)',
        'whose `errors` array lists every problem of the request at once. Response objects may gain',
        'fields in later versions: ignore the ones you do not know.',
      ].join(' '),
      contact: CONTACT,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: options.serverUrl ?? '/', description: 'This deployment' }],
    tags: (Object.keys(TAGS) as Tag[])
      .filter((t) => used.has(t))
      .map((name) => ({ name, description: TAGS[name] })),
    paths,
    webhooks,
    components: {
      schemas,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

/** Who answers questions about this API (info.contact). */
export const CONTACT = {
  name: '一件事一次办 platform team',
  url: 'https://yijianshi.dev/support',
  email: 'api@yijianshi.dev',
} as const;

/**
 * Every named schema and every parameter with a description and one example (the API lint wants
 * both): a schema's own, else the text of COMPONENT_DESCRIPTIONS / PARAMETER_DESCRIPTIONS
 * (adapters/http/schemas.ts) and an example generated from the schema (openapi-examples.ts).
 */
function documented(
  schemas: Record<string, JsonSchema>,
  paths: Record<string, Record<string, Operation>>,
  webhooks: OpenApiDocument['webhooks'],
): Record<string, JsonSchema> {
  const resolve = (r: string) => schemas[r.replace('#/components/schemas/', '')];
  const out: Record<string, JsonSchema> = {};
  // By name: handler files name their schemas as they are imported, in no fixed order.
  for (const [id, schema] of Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const description = schema.description ?? COMPONENT_DESCRIPTIONS[id];
    const example = exampleOf(schema, resolve, id);
    out[id] = {
      ...(description ? { description } : {}),
      ...schema,
      ...(schema.examples === undefined && example !== undefined ? { examples: [example] } : {}),
    };
  }
  const operations = [
    ...Object.values(paths).flatMap((ops) => Object.values(ops)),
    ...Object.values(webhooks).map((w) => w.post),
  ];
  for (const op of operations)
    for (const p of op.parameters ?? []) {
      p.description ??= PARAMETER_DESCRIPTIONS[p.name];
      if (p.schema.examples === undefined) {
        const example = exampleOf(p.schema, resolve, p.name);
        if (example !== undefined) p.schema = { ...p.schema, examples: [example] };
      }
    }
  return out;
}
