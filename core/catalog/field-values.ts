/**
 * Whether a value suits a form field of the catalog (its type, length, pattern, range, options):
 * shared by the catalog's own check of its examples (schema.ts) and by intake (form.ts,
 * prefill.ts) — apart from the catalog's schemas, so the functions that judge values do not carry
 * them.
 */
import { isValidIdNumber, isValidUscc } from '../shared/identifiers.ts';
import type { FormField } from './schema.ts';

/** Why a value is not valid for a field, or undefined when it is. Shared by the catalog check and intake. */
export function fieldExampleProblem(field: FormField, value: unknown): string | undefined {
  switch (field.type) {
    case 'string':
    case 'text':
    case 'phone':
    case 'idNumber':
    case 'uscc':
    case 'date': {
      if (typeof value !== 'string') return 'must be a string';
      if (field.minLength !== undefined && value.length < field.minLength)
        return `at least ${field.minLength} characters`;
      if (field.maxLength !== undefined && value.length > field.maxLength)
        return `at most ${field.maxLength} characters`;
      if (field.pattern && !new RegExp(field.pattern, 'u').test(value)) return `must match ${field.pattern}`;
      if (field.type === 'phone' && !/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/.test(value))
        return 'not a phone number';
      if (field.type === 'idNumber' && !isValidIdNumber(value))
        return 'not a valid resident ID number (GB 11643)';
      if (field.type === 'uscc' && !isValidUscc(value))
        return 'not a valid unified social credit code (GB 32100)';
      if (field.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'must be a date YYYY-MM-DD';
      return undefined;
    }
    case 'integer':
    case 'number':
    case 'money': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.type === 'integer' && !Number.isInteger(value)) return 'must be an integer';
      if (field.minimum !== undefined && value < field.minimum) return `at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `at most ${field.maximum}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return field.options?.some((o) => o.value === value) ? undefined : 'not one of the allowed values';
  }
}
