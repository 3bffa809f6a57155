/**
 * The API lint in `npm test` (and `npm run lint:api`, scripts/lint-api.ts): Spectral (`spectral:oas`
 * and .spectral.yaml's rules: descriptions and examples everywhere, every error the Problem as
 * application/problem+json) and Redocly (`recommended`) at 0 errors and 0 warnings; and every
 * example of the document accepted by its own schema.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, type OpenApiDocument } from '../../adapters/http/openapi.ts';
import { httpRoutes } from '../../functions/routes.ts';
import { redocly, spectral } from '../../scripts/lint-api.ts';
import { DocumentValidator } from './openapi-validator.ts';

describe('the API lint', () => {
  let doc: OpenApiDocument;
  beforeAll(() => {
    doc = buildOpenApiDocument(httpRoutes, { serverUrl: 'https://api.changzhou.example.cn/prod' });
  });

  it('finds nothing with Spectral (spectral:oas and our rules)', () => {
    expect(spectral(doc)).toEqual([]);
  }, 60_000);

  it('finds nothing with Redocly (recommended)', async () => {
    expect(await redocly(doc)).toEqual([]);
  });

  it('documents what the edge answers: 403 before an authenticated route, 429 and 503 with Retry-After', () => {
    for (const route of httpRoutes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      const statuses = Object.keys(op.responses);
      if (route.caller !== 'public')
        expect(statuses, route.name).toEqual(expect.arrayContaining(['401', '403', '503']));
      expect(op.responses[429]?.headers?.['Retry-After'], route.name).toBeDefined();
      if (op.responses[503]) expect(op.responses[503].headers?.['Retry-After'], route.name).toBeDefined();
      expect(statuses, route.name).toContain('5XX');
    }
  });

  it('gives request bodies no `default` (generated clients read one as always present)', () => {
    const bodies = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).flatMap((op) =>
        op.requestBody ? [op.requestBody.content['application/json']!.schema] : [],
      ),
    );
    const ids = new Set(bodies.map((b) => String(b.$ref).replace('#/components/schemas/', '')));
    expect(ids.size).toBeGreaterThan(5);
    const withDefault = [...ids].filter((id) =>
      JSON.stringify(doc.components.schemas[id]).includes('"default":'),
    );
    expect(withDefault).toEqual([]);
  });

  it('has examples its own schemas accept: every named schema’s and every parameter’s', () => {
    const validator = new DocumentValidator(doc);
    const wrong: string[] = [];
    for (const [id, schema] of Object.entries(doc.components.schemas)) {
      const validate = validator.validator({ $ref: `#/components/schemas/${id}` });
      for (const example of (schema.examples as unknown[] | undefined) ?? [])
        if (!validate(example)) wrong.push(`${id}: ${JSON.stringify(validate.errors)}`);
    }
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops))
        for (const p of op.parameters ?? []) {
          const validate = validator.validator(p.schema);
          for (const example of (p.schema.examples as unknown[] | undefined) ?? [])
            if (!validate(example))
              wrong.push(`${op.operationId} ${p.name}: ${JSON.stringify(validate.errors)}`);
        }
    expect(wrong).toEqual([]);
  });
});
