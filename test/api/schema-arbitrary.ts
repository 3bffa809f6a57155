/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document: values the document says
 * are valid, and corruptions of them (a field missing, a wrong type, an extra or hostile key, a
 * huge or exotic string, another JSON type altogether). Covers the subset of draft 2020-12 that
 * z.toJSONSchema emits; anything else falls back to any JSON value.
 */
import fc from 'fast-check';

export type Schema = Record<string, unknown>;
export type Resolve = (ref: string) => Schema;

/** Per JSON Pointer (e.g. "/url"), an arbitrary to use instead of the schema's. */
export type Overrides = ReadonlyMap<string, fc.Arbitrary<unknown>>;

const MAX_ITEMS = 4;
const MAX_STRING = 40;

/** Strings that have broken parsers, logs and key builders before. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '..',
    '/',
    '%',
    '%00',
    '\u0000',
    '\uFEFF',
    'a\u202Efdp.exe',
    '𠮷野家🚀',
    '<script>alert(1)</script>',
    "' OR '1'='1",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point (log4shell probe)
    '${jndi:ldap://x}',
    '__proto__',
    'constructor',
    'NaN',
    '-1',
    '1e309',
    'null',
    'true',
    'c-aaaaaaaaaaaaaaaaaaaaaaaa.r0.acceptance',
    '#',
    '?',
    'DEPT#market-regulation#pending',
  ),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** Valid values of `schema`. */
export function valid(
  schema: Schema,
  resolve: Resolve,
  overrides: Overrides = new Map(),
  at = '',
): fc.Arbitrary<unknown> {
  const override = overrides.get(at);
  if (override) return override;
  if (typeof schema.$ref === 'string') return valid(resolve(schema.$ref), resolve, overrides, at);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const choices = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (choices) return fc.oneof(...choices.map((s) => valid(s, resolve, overrides, at)));
  const type = schema.type;
  if (Array.isArray(type))
    return fc.oneof(...type.map((t) => valid({ ...schema, type: t }, resolve, overrides, at)));
  switch (type) {
    case 'string':
      return validString(schema);
    case 'integer': {
      const min =
        (schema.minimum as number | undefined) ??
        ((schema.exclusiveMinimum as number | undefined) ?? -1e6) + 1;
      const max = Math.min((schema.maximum as number | undefined) ?? 1e9, 1e9);
      return fc.integer({ min: Math.max(min, -1e9), max });
    }
    case 'number':
      return fc.double({
        min: (schema.minimum as number | undefined) ?? -1e9,
        max: (schema.maximum as number | undefined) ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {};
      return fc.array(valid(items, resolve, overrides, `${at}/0`), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? MAX_ITEMS, MAX_ITEMS),
      });
    }
    case 'object':
      return validObject(schema, resolve, overrides, at);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: Schema): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = (schema.maxLength as number | undefined) ?? Math.max(minLength, MAX_STRING);
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uri') return fc.webUrl();
  if (typeof schema.pattern === 'string') {
    // Only the schema's own bounds: a pattern may well require more than MAX_STRING characters.
    const max = (schema.maxLength as number | undefined) ?? Number.POSITIVE_INFINITY;
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .map((s) => s.slice(0, max))
      .filter((s) => s.length >= minLength && new RegExp(schema.pattern as string).test(s));
  }
  return fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, MAX_STRING) });
}

function validObject(
  schema: Schema,
  resolve: Resolve,
  overrides: Overrides,
  at: string,
): fc.Arbitrary<unknown> {
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const model = Object.fromEntries(
    Object.entries(properties).map(([k, s]) => [k, valid(s, resolve, overrides, `${at}/${k}`)]),
  );
  const known = fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
  const additional = schema.additionalProperties;
  if (additional && typeof additional === 'object' && Object.keys(properties).length === 0)
    return fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }),
      valid(additional as Schema, resolve, overrides, `${at}/*`),
      {
        maxKeys: MAX_ITEMS,
      },
    );
  return known;
}

/** Every JSON Pointer inside a JSON value (objects and arrays), the root included. */
function pointers(value: unknown, at = ''): string[] {
  const here = [at];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pointers(v, `${at}/${i}`))];
  if (value && typeof value === 'object')
    return [
      ...here,
      ...Object.entries(value).flatMap(([k, v]) =>
        pointers(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`),
      ),
    ];
  return here;
}

function parent(
  root: unknown,
  pointer: string,
): { holder: Record<string, unknown> | unknown[]; key: string } | undefined {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts.length === 0) return undefined;
  let node: unknown = root;
  for (const p of parts.slice(0, -1)) node = (node as Record<string, unknown>)[p];
  return { holder: node as Record<string, unknown>, key: parts.at(-1)! };
}

const wrongTyped = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  hostileString,
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

export type Corruption =
  | { kind: 'delete' | 'retype' | 'huge' | 'exotic' | 'extra'; pointer: string; value?: unknown }
  | { kind: 'not-an-object'; value: unknown };

/** A corruption of `value` somewhere inside it, and the corrupted value (a fresh copy). */
export function corrupted(
  base: fc.Arbitrary<unknown>,
): fc.Arbitrary<{ value: unknown; corruption: Corruption }> {
  return fc
    .tuple(
      base,
      fc.nat(),
      fc.constantFrom('delete', 'retype', 'huge', 'exotic', 'extra', 'not-an-object'),
      wrongTyped,
      fc.constantFrom('__proto__', 'constructor', 'toString', 'unexpected', '', 'a/b~c', '$where'),
      fc.integer({ min: 1_000, max: 300_000 }),
      hostileString,
    )
    .map(([original, index, kind, replacement, extraKey, hugeLength, exotic]) => {
      if (kind === 'not-an-object') return { value: replacement, corruption: { kind, value: replacement } };
      const value = structuredClone(original);
      const all = pointers(value);
      const pointer = all[index % all.length]!;
      const spot = parent(value, pointer);
      const set = (v: unknown) => {
        if (spot) (spot.holder as Record<string, unknown>)[spot.key] = v;
      };
      switch (kind) {
        case 'delete':
          if (spot && Array.isArray(spot.holder)) spot.holder.splice(Number(spot.key), 1);
          else if (spot) delete (spot.holder as Record<string, unknown>)[spot.key];
          break;
        case 'retype':
          if (!spot) return { value: replacement, corruption: { kind, pointer, value: replacement } };
          set(replacement);
          break;
        case 'huge':
          if (!spot) return { value: 'x'.repeat(hugeLength), corruption: { kind, pointer } };
          set('龘'.repeat(Math.ceil(hugeLength / 3)));
          break;
        case 'exotic':
          if (!spot) return { value: exotic, corruption: { kind, pointer, value: exotic } };
          set(exotic);
          break;
        case 'extra': {
          const target = spot ? (spot.holder as Record<string, unknown>)[spot.key] : value;
          if (target && typeof target === 'object' && !Array.isArray(target))
            Object.defineProperty(target, extraKey, {
              value: replacement,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          break;
        }
      }
      return { value, corruption: { kind, pointer } };
    });
}
