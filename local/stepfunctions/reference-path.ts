/**
 * ASL "Reference Paths" (`$`, `$.a.b`, `$.a[0]`, `$['a b']`): the subset of JSONPath that
 * TimeoutSecondsPath, SecondsPath, TimestampPath and ItemsPath may use. We evaluate them ourselves
 * where aws-local-stepfunctions cannot help (inside task overrides, which only see the effective input).
 */
export function readReferencePath(path: string, data: unknown): unknown {
  if (!path.startsWith('$')) throw new Error(`'${path}' is not a reference path`);
  let value: unknown = data;
  for (const segment of parseSegments(path.slice(1), path)) {
    if (typeof segment === 'number') {
      value = Array.isArray(value) ? value[segment] : undefined;
    } else {
      value =
        value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, segment)
          ? (value as Record<string, unknown>)[segment]
          : undefined;
    }
    if (value === undefined) break;
  }
  return value;
}

function parseSegments(rest: string, path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  let i = 0;
  while (i < rest.length) {
    const ch = rest[i];
    if (ch === '.') {
      let end = i + 1;
      while (end < rest.length && rest[end] !== '.' && rest[end] !== '[') end++;
      if (end === i + 1) throw new Error(`Invalid reference path '${path}'`);
      segments.push(rest.slice(i + 1, end));
      i = end;
    } else if (ch === '[') {
      const close = rest.indexOf(']', i);
      if (close < 0) throw new Error(`Invalid reference path '${path}'`);
      const inner = rest.slice(i + 1, close).trim();
      const quoted = /^'(.*)'$/.exec(inner) ?? /^"(.*)"$/.exec(inner);
      if (quoted) segments.push(quoted[1] ?? '');
      else if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else
        throw new Error(
          `Unsupported reference path '${path}' (filters and wildcards are not reference paths)`,
        );
      i = close + 1;
    } else {
      throw new Error(`Invalid reference path '${path}'`);
    }
  }
  return segments;
}
