/**
 * A form rendered from the merged JSON Schema (GET /v1/bundles/{id}/form): each property's title as
 * its label, its description as help, its enum (with x-enum-titles) as a select, and the checks
 * the schema states (required, pattern, length, range) run in the browser; the API's own problems
 * (422 `errors`, by JSON Pointer `/form/<field>`) show beside the same fields.
 */
export interface FieldSchema {
  readonly title?: string;
  readonly description?: string;
  readonly type?: 'string' | 'number' | 'integer' | 'boolean';
  readonly enum?: readonly string[];
  readonly 'x-enum-titles'?: Record<string, string>;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly examples?: readonly unknown[];
  readonly 'x-prefill'?: { readonly source: string; readonly attribute: string };
  readonly 'x-services'?: readonly string[];
}

export interface FormSchema {
  readonly title?: string;
  readonly properties: Record<string, FieldSchema>;
  readonly required?: readonly string[];
}

export type Values = Record<string, string>;

/** The schema's own checks on one value (empty = not given). */
export function check(field: FieldSchema, raw: string, required: boolean): string | undefined {
  const v = raw.trim();
  if (!v) return required ? '必填' : undefined;
  if (field.type === 'number' || field.type === 'integer') {
    const n = Number(v);
    if (!Number.isFinite(n) || (field.type === 'integer' && !Number.isInteger(n))) return '请输入数字';
    if (field.minimum !== undefined && n < field.minimum) return `不能小于 ${field.minimum}`;
    if (field.maximum !== undefined && n > field.maximum) return `不能大于 ${field.maximum}`;
    return undefined;
  }
  if (field.minLength !== undefined && v.length < field.minLength) return `至少 ${field.minLength} 个字`;
  if (field.maxLength !== undefined && v.length > field.maxLength) return `最多 ${field.maxLength} 个字`;
  if (field.pattern && !new RegExp(field.pattern, 'u').test(v)) return '格式不正确';
  return undefined;
}

/** The typed values for the API: numbers as numbers, empty fields left out. */
export function toFormValues(schema: FormSchema, values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    const v = (values[name] ?? '').trim();
    if (!v) continue;
    out[name] = field.type === 'number' || field.type === 'integer' ? Number(v) : v;
  }
  return out;
}

export function Field(props: {
  name: string;
  field: FieldSchema;
  required: boolean;
  value: string;
  error?: string | undefined;
  onInput: (value: string) => void;
  onBlur?: () => void;
}) {
  const { name, field, required, value, error } = props;
  const id = `f-${name}`;
  const described = [field.description ? `${id}-help` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name,
    value,
    required,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': described || undefined,
    onBlur: props.onBlur,
  };
  return (
    <div class="field">
      <label for={id}>
        {field.title ?? name}
        {required ? (
          <span class="req" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </label>
      {field.description ? (
        <span class="help" id={`${id}-help`}>
          {field.description}
        </span>
      ) : null}
      {field.enum ? (
        <select {...common} onChange={(e) => props.onInput((e.target as HTMLSelectElement).value)}>
          <option value="">请选择</option>
          {field.enum.map((v) => (
            <option value={v} key={v}>
              {field['x-enum-titles']?.[v] ?? v}
            </option>
          ))}
        </select>
      ) : (field.maxLength ?? 0) > 300 ? (
        <textarea
          {...common}
          rows={3}
          maxLength={field.maxLength}
          onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
        />
      ) : (
        <input
          {...common}
          type={field.type === 'number' || field.type === 'integer' ? 'number' : 'text'}
          inputMode={field.type === 'integer' ? 'numeric' : undefined}
          min={field.minimum}
          max={field.maximum}
          step={field.type === 'number' ? 'any' : undefined}
          maxLength={field.maxLength}
          onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
        />
      )}
      {error ? (
        <span class="error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
