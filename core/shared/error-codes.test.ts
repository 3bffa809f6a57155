/**
 * The error-code catalogue is complete: every code the sources can throw — found by reading them
 * (class codes, problem literals, refinements' `params.code`, the form's `invalid_<type>`) and by
 * exercising the validators with bad input — is one of ERROR_CODES, with both templates.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ApplicationSchema } from '../case/application.ts';
import { SupplementSchema } from '../case/submit-supplement.ts';
import { FieldTypeSchema } from '../catalog/schema.ts';
import { DeclarationSchema } from '../materials/declaration.ts';
import {
  ERROR_CODE_LIST,
  ERROR_CODES,
  isErrorCode,
  LANGUAGES,
  messageFor,
  negotiateLanguage,
  problemsFromIssues,
} from './error-codes.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every code literal the product's sources can put into an answer, with where it is. */
function thrownCodes(): Map<string, string> {
  const found = new Map<string, string>();
  // local/: only the dev server answers requests (the identity provider's OAuth `code` is no error).
  const files = [
    ...['core', 'adapters', 'functions'].flatMap((d) => sources(join(root, d))),
    join(root, 'local/dev-server.ts'),
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      // zod's own issue codes of schema refinements and transforms (mapped by problemsFromIssues), and Node errno-like codes.
      if (/addIssue\(|\.issues\.push\(/.test(line) || /code = 'E[A-Z]+'/.test(line)) return;
      const at = `${relative(root, file)}:${i + 1}`;
      // `readonly code = 'x'`, `code: 'x'`, `code: cond ? 'x' : 'y'`, `params: { code: 'x' }`
      const m = /\bcode(?:: string)?\s*(?::|=(?!=))\s*([^,;]*)/.exec(line);
      // Comparisons in the expression (`typeof x === 'string' ? …`) name no code.
      const expression = m?.[1]?.replace(/[!=]==?\s*'[^']*'/g, '') ?? '';
      for (const q of expression.matchAll(/'([a-z][a-zA-Z_]*)'/g)) found.set(q[1]!, at);
    });
  }
  return found;
}

describe('the error-code catalogue', () => {
  it('holds every code thrown anywhere in the sources', () => {
    const codes = thrownCodes();
    expect(codes.size).toBeGreaterThan(40); // the scan finds them at all
    const missing = [...codes].filter(([code]) => !isErrorCode(code)).map(([c, at]) => `${c} (${at})`);
    expect(missing).toEqual([]);
  });

  it('holds `invalid_<type>` for every kind of form field', () => {
    for (const type of FieldTypeSchema.options) expect(isErrorCode(`invalid_${type}`), type).toBe(true);
  });

  it('has a message in every language for every code, and never leaks a placeholder', () => {
    for (const code of ERROR_CODE_LIST)
      for (const language of LANGUAGES) {
        expect(ERROR_CODES[code][language], `${code} ${language}`).not.toBe('');
        expect(messageFor(code, language, { field: 'x' })).not.toMatch(/[{}]/);
      }
  });

  it('maps no zod code through: what the validators give are catalogued codes', () => {
    const inputs: [z.ZodMiniType, unknown][] = [
      [ApplicationSchema, {}],
      [
        ApplicationSchema,
        { bundleId: 5, services: 'x', applicant: { kind: 'alien' }, delivery: { method: 'courier' } },
      ],
      [
        ApplicationSchema,
        { bundleId: '', services: [], applicant: { kind: 'person', idNumber: '1' }, form: [] },
      ],
      [
        DeclarationSchema,
        { bundleId: 'b', type: 't', fileName: '../x', contentType: 'PDF', size: -1, sha256: 'x' },
      ],
      [DeclarationSchema, { fileName: 'x'.repeat(300), size: 1.5 }],
      [SupplementSchema, {}],
      [SupplementSchema, { form: 'x', materials: [{}] }],
      [z.strictObject({ a: z.string() }), { a: 'x', extra: 1 }],
      [
        z.object({ n: z.number().check(z.int(), z.gte(1), z.lte(3)), e: z.enum(['a', 'b']), u: z.url() }),
        { n: 9, e: 'c', u: 'no' },
      ],
    ];
    const codes = new Set<string>();
    for (const [schema, input] of inputs) {
      const r = schema.safeParse(input);
      expect(r.success).toBe(false);
      for (const p of problemsFromIssues(r.error!.issues, input)) codes.add(p.code);
    }
    expect([...codes].filter((c) => !isErrorCode(c))).toEqual([]);
    for (const zodOnly of [
      'invalid_type',
      'invalid_union',
      'too_small',
      'too_big',
      'invalid_format',
      'custom',
    ])
      expect(codes.has(zodOnly), zodOnly).toBe(false);
  });

  it('calls a missing value `required`, at its path, whatever zod says', () => {
    const input = { delivery: { method: 'courier' } };
    const r = ApplicationSchema.safeParse(input);
    const problems = problemsFromIssues(r.error!.issues, input);
    expect(problems).toContainEqual(expect.objectContaining({ path: '/delivery/address', code: 'required' }));
    expect(problems).toContainEqual(expect.objectContaining({ path: '/bundleId', code: 'required' }));
    expect(problems).toContainEqual(expect.objectContaining({ path: '/applicant', code: 'required' }));
  });

  it('names an empty supplement `empty_supplement` at /form, not custom at ""', () => {
    const r = SupplementSchema.safeParse({});
    expect(problemsFromIssues(r.error!.issues, {})).toEqual([
      expect.objectContaining({ path: '/form', code: 'empty_supplement' }),
    ]);
  });

  it('gives one unknown_field per unrecognised key, at the key', () => {
    const input = { a: 'x', b: 1, c: 2 };
    const r = z.strictObject({ a: z.string() }).safeParse(input);
    expect(problemsFromIssues(r.error!.issues, input, '/body').map((p) => `${p.code} ${p.path}`)).toEqual([
      'unknown_field /body/b',
      'unknown_field /body/c',
    ]);
  });

  it('fills templates from params, in each language', () => {
    expect(messageFor('too_long', 'en', { field: 'fileName', max: 255 })).toBe(
      'fileName is too long (at most 255 characters).',
    );
    expect(messageFor('required', 'zh-CN', { field: 'address' })).toBe('缺少必填项 address。');
    expect(messageFor('invalid_value', 'en', { field: 'kind' })).toBe('kind is not an allowed value.');
  });
});

describe('Accept-Language', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN', 'zh-CN'],
    ['zh-Hans-CN;q=0.8, en;q=0.9', 'en'],
    ['en;q=0.5, zh;q=0.7', 'zh-CN'],
    ['fr, en;q=0.1', 'en'],
    ['fr', 'zh-CN'],
    ['*', 'zh-CN'],
    ['zh;q=0, *', 'en'],
    ['en;q=0', 'zh-CN'],
    ['en;q=abc, zh', 'zh-CN'],
    ['de;q=1, en-GB;q=0.3, zh-TW;q=0.3', 'en'],
  ])('answers %j in %s', (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });
});
