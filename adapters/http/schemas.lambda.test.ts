/**
 * The Lambda stand-in of adapters/http/schemas.ts (schemas.lambda.ts, aliased in every bundle):
 * it exports the same names, no route parses a request with one of its documentation-only values,
 * and using one throws, naming it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { httpRoutes } from '#functions/routes.ts';
import type { BodySpec } from './route.ts';
import * as standIn from './schemas.lambda.ts';
import * as real from './schemas.ts';

/** The stand-in's documentation-only exports: neither the real value nor a helper of its own. */
const documentationOnly = Object.keys(standIn).filter((name) => {
  const value = (standIn as Record<string, unknown>)[name];
  return (
    value !== (real as Record<string, unknown>)[name] && typeof value !== 'function' && name !== 'components'
  );
});

describe('the Lambda stand-in of the API schemas', () => {
  it('exports exactly what adapters/http/schemas.ts exports', () => {
    expect(Object.keys(standIn).sort()).toEqual(Object.keys(real).sort());
  });

  it('gives handlers the real query schema, and a component() that returns its schema', () => {
    expect(standIn.ChosenServicesQuery).toBe(real.ChosenServicesQuery);
    const schema = {};
    expect(standIn.component('X', schema)).toBe(schema);
  });

  it('lets no route parse a request with a schema the Lambda bundles leave out', () => {
    const left = new Map(
      documentationOnly.map((name) => [(real as Record<string, unknown>)[name], name] as const),
    );
    const misuses: string[] = [];
    for (const route of httpRoutes) {
      const body = route.body as BodySpec | undefined;
      const parsed = {
        params: route.params,
        query: route.query,
        headers: route.headers,
        // A body the use case checks is passed on as JSON: its schema is only documentation.
        body: body && !body.checkedByUseCase ? body.schema : undefined,
      };
      for (const [slot, schema] of Object.entries(parsed))
        if (schema !== undefined && left.has(schema))
          misuses.push(`${route.name} ${slot}: ${left.get(schema)}`);
    }
    expect(misuses).toEqual([]);
    expect(documentationOnly.length).toBeGreaterThan(30);
  });

  it('is named by handlers only inside their route spec (documentation), never in their code', () => {
    const dir = new URL('../../functions/', import.meta.url);
    const outside: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const imported = /import \{([^}]*)\} from '#adapters\/http\/schemas\.ts';/.exec(text);
      if (!imported) continue;
      // The route spec: from `defineRoute({` to its matching brace.
      const start = text.indexOf('defineRoute({');
      let end = start + 'defineRoute('.length;
      for (let depth = 0; end < text.length; end++) {
        if (text[end] === '{') depth++;
        else if (text[end] === '}' && --depth === 0) break;
      }
      const names = imported[1]!
        .split(',')
        .map((n) => n.trim())
        .filter((n) => documentationOnly.includes(n));
      for (const name of names)
        for (const m of text.matchAll(new RegExp(`\\b${name}\\b`, 'g')))
          if (
            m.index > imported.index + imported[0].length &&
            (m.index < start || m.index > end) &&
            // A type (`z.input<typeof X>`) is erased: nothing of it runs.
            !text.slice(0, m.index).endsWith('typeof ')
          )
            outside.push(`functions/${file}: ${name}`);
    }
    expect(outside).toEqual([]);
  });

  it('throws, naming the schema, when a bundle uses one as a schema', () => {
    const spec = { responses: { 200: { description: 'x', schema: standIn.BundleDetailSchema } } };
    // Holding it in a route spec is fine; using it is not.
    expect(spec.responses[200].schema).toBeDefined();
    expect(() => (standIn.BundleDetailSchema as { _zod: unknown })._zod).toThrow(/BundleDetailSchema/);
    expect(() => (standIn.SERVICE_SELECTION_PROBLEMS as Record<number, string>)[404]).toThrow(
      /SERVICE_SELECTION_PROBLEMS.*not bundled/,
    );
    // Spread into a route spec's documentation (a response's headers), it adds nothing.
    expect({ ...(standIn.LocationHeader as object) }).toEqual({});
  });
});
