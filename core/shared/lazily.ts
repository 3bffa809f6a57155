/**
 * A value built at its first use rather than at import (issue #14, init time): for schemas a
 * module's importers need only some of the time (config sections, the places file, outbox events).
 */
export function lazily<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}
