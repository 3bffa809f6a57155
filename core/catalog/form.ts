/**
 * The merged form (一表申请) as one JSON Schema (draft 2020-12), and the check of submitted form
 * values against it. Every property has a `title` (the label) and `examples` whose first value is
 * valid, so a portal can build and test its form from the schema alone.
 *
 * A conditional field (shown and required only when another answer is given, e.g. 委托代理 → 代理人
 * 姓名) carries `x-when` and is required through `allOf: [{ if, then }]`, one per condition.
 */
import type { Problem } from '../shared/errors.ts';
import { applies, conditionKey } from './conditions.ts';
import { fieldExampleProblem } from './field-values.ts';
import type { MergedField } from './merge.ts';
import type { Condition, FormField } from './schema.ts';

const PHONE = '^(1[3-9]\\d{9}|0\\d{2,3}-?\\d{7,8})$';

function propertySchema(f: FormField): Record<string, unknown> {
  const base: Record<string, unknown> = {
    title: f.title,
    ...(f.description ? { description: f.description } : {}),
  };
  switch (f.type) {
    case 'string':
    case 'text':
      Object.assign(base, { type: 'string' });
      break;
    case 'date':
      Object.assign(base, { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
      break;
    case 'phone':
      Object.assign(base, { type: 'string', pattern: PHONE });
      break;
    case 'idNumber':
      Object.assign(base, { type: 'string', pattern: '^\\d{17}[\\dX]$', 'x-check': 'GB 11643 check digit' });
      break;
    case 'uscc':
      Object.assign(base, {
        type: 'string',
        pattern: '^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$',
        'x-check': 'GB 32100 check character',
      });
      break;
    case 'integer':
      Object.assign(base, { type: 'integer' });
      break;
    case 'number':
    case 'money':
      Object.assign(base, { type: 'number' });
      break;
    case 'boolean':
      Object.assign(base, { type: 'boolean' });
      break;
    case 'enum':
      Object.assign(base, {
        type: 'string',
        enum: f.options?.map((o) => o.value) ?? [],
        'x-enum-titles': Object.fromEntries(f.options?.map((o) => [o.value, o.title]) ?? []),
      });
      break;
  }
  if (f.minLength !== undefined) base.minLength = f.minLength;
  if (f.maxLength !== undefined) base.maxLength = f.maxLength;
  if (f.pattern !== undefined && f.type !== 'idNumber' && f.type !== 'uscc') base.pattern = f.pattern;
  if (f.minimum !== undefined) base.minimum = f.minimum;
  if (f.maximum !== undefined) base.maximum = f.maximum;
  base.examples = f.examples;
  return base;
}

/** `if` of a condition: the answer is given and is (one of) the value(s). */
function ifSchema(c: Condition): Record<string, unknown> {
  const is = Array.isArray(c.equals) ? { enum: c.equals } : { const: c.equals };
  return { properties: { [c.field]: is }, required: [c.field] };
}

/** One `if/then` per distinct condition: then the fields it makes required are required. */
function conditionalRequirements(merged: readonly MergedField[]): Record<string, unknown>[] {
  const byCondition = new Map<string, { condition: Condition; fields: string[] }>();
  for (const m of merged) {
    if (!m.required || !m.when) continue;
    for (const c of m.when) {
      const key = conditionKey(c);
      const entry = byCondition.get(key) ?? { condition: c, fields: [] };
      entry.fields.push(m.field.id);
      byCondition.set(key, entry);
    }
  }
  return (
    [...byCondition.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
      .map(([, { condition, fields }]) => ({ if: ifSchema(condition), then: { required: fields } }))
  );
}

export function formJsonSchema(title: string, merged: readonly MergedField[]): Record<string, unknown> {
  const allOf = conditionalRequirements(merged);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title,
    type: 'object',
    properties: Object.fromEntries(
      merged.map((m) => [
        m.field.id,
        {
          ...propertySchema(m.field),
          'x-services': m.services,
          ...(m.field.prefill ? { 'x-prefill': m.field.prefill } : {}),
          ...(m.field.personal ? { 'x-personal': true } : {}),
          ...(m.when ? { 'x-when': m.when } : {}),
        },
      ]),
    ),
    required: merged.filter((m) => m.required && !m.when).map((m) => m.field.id),
    ...(allOf.length ? { allOf } : {}),
    additionalProperties: false,
  };
}

/**
 * Every problem with submitted form values: missing required (a conditional field only when its
 * condition holds), malformed, unknown fields.
 */
export function formProblems(
  merged: readonly MergedField[],
  form: Readonly<Record<string, unknown>>,
  at = '/form',
): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(merged.map((m) => m.field.id));
  for (const m of merged) {
    const value = form[m.field.id];
    const path = `${at}/${m.field.id}`;
    if (value === undefined || value === null || value === '') {
      if (m.required && applies(m.when, form))
        problems.push({
          path,
          code: 'required',
          message: `${m.field.title} (${m.field.id}) is required by ${m.services.join(', ')}${m.when ? ' (given your answers)' : ''}.`,
        });
      continue;
    }
    const problem = fieldExampleProblem(m.field, value);
    if (problem)
      problems.push({
        path,
        code: `invalid_${m.field.type}`,
        message: `${m.field.title} (${m.field.id}): ${problem}.`,
      });
  }
  for (const key of Object.keys(form))
    if (!known.has(key))
      problems.push({
        path: `${at}/${key}`,
        code: 'unknown_field',
        message: `"${key}" is not a field of the chosen services' form.`,
      });
  return problems;
}
