/**
 * In place of idempotency-store.ts in the bundle of an HTTP route that never takes an
 * Idempotency-Key (adapters/http/handler.ts `takesIdempotencyKey`: every GET, public routes, routes
 * that record their key themselves) — an esbuild alias set per function by
 * infra/constructs/handler-function.ts (infra/lambda-bundling.ts `lambdaAliases`). The HTTP stack
 * imports the store for the routes that do; for the others it is dead code that would bundle the
 * DynamoDB client and the Secrets Manager client (~200 KiB for a catalog route). Never called: the
 * handler reaches the store only when the route takes a key. Locally (no bundling) the real store
 * is used everywhere.
 */
import type { idempotencyStore as Real } from './idempotency-store.ts';

export type { Reservation, StoredAnswer } from './idempotency-store.ts';

function notBundled(): never {
  throw new Error(
    'This route takes no Idempotency-Key: its bundle carries no idempotency store (adapters/dynamodb/no-idempotency-store.ts).',
  );
}

export const idempotencyStore: typeof Real = {
  reserve: async () => notBundled(),
  complete: async () => notBundled(),
  release: async () => notBundled(),
};
