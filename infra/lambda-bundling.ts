/**
 * What every Lambda bundle replaces at bundling (esbuild aliases): shared by the construct that
 * bundles for deployment (infra/constructs/handler-function.ts) and the cold-start benchmark, so the
 * two cannot drift. No CDK here: the benchmark imports it.
 */
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

/**
 * No Lambda bundles the AWS SDK any more (adapters/aws/ is a lean client of our own; bench/bundles.test.ts
 * fails on any SDK module but @aws-sdk/util-dynamodb). These two aliases stay as a safety net: should an
 * SDK client come back into a bundle, it still gets no default credential chain and no event-stream
 * codec (infra/lambda-bundling.test.ts proves the first).
 */
/** How the adapters import the AWS call recorder (by this exact specifier, so the alias below applies). */
export const CALL_RECORDER_IMPORT = '#adapters/aws-call-recorder.ts';

/** How handlers import the API's schemas (by this exact specifier, so the alias below applies). */
export const SCHEMAS_IMPORT = '#adapters/http/schemas.ts';

/** How the catalog file is read (adapters/catalog/file-catalog.ts, by this exact specifier). */
export const CATALOG_PARSE_IMPORT = '#adapters/catalog/catalog-parse.ts';

export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  // The execution role's credentials are in the environment: no default provider chain.
  '@aws-sdk/credential-provider-node': join(repoRoot, 'adapters', 'aws', 'lambda-credentials.ts'),
  // The local least-privilege recorder: inert in Lambda (it refuses to start there), so not bundled.
  [CALL_RECORDER_IMPORT]: join(repoRoot, 'adapters', 'aws', 'no-call-recorder.ts'),
  // No operation of this project streams events: the SDK's event-stream codec stays out (~15 KiB).
  '@smithy/core/event-streams': join(repoRoot, 'adapters', 'aws', 'no-event-streams.ts'),
  // The schemas of the answers document the API (the OpenAPI document is built at deploy time); no
  // handler parses with them: every HTTP function leaves them out (~33 KiB; adapters/http/schemas.lambda.ts).
  [SCHEMAS_IMPORT]: join(repoRoot, 'adapters', 'http', 'schemas.lambda.ts'),
  // The catalog beside a bundle was validated (and normalised) at deployment: read as it is, its
  // schema not bundled (~8 KiB, and no zod parse of the catalog at a container's first request).
  [CATALOG_PARSE_IMPORT]: join(repoRoot, 'adapters', 'catalog', 'catalog-parse.lambda.ts'),
};

/**
 * The import of the idempotency store by the HTTP stack (adapters/http/handler.ts, by this exact
 * specifier), and what replaces it in the bundle of a route that takes no Idempotency-Key.
 */
export const IDEMPOTENCY_STORE_IMPORT = '#adapters/dynamodb/idempotency-store.ts';
export const NO_IDEMPOTENCY_STORE = join(repoRoot, 'adapters', 'dynamodb', 'no-idempotency-store.ts');

export interface BundleOptions {
  /**
   * false for an HTTP route that never takes an Idempotency-Key (adapters/http/handler.ts
   * `takesIdempotencyKey`): its bundle gets no idempotency store, hence no DynamoDB client unless
   * its own code uses one. @default true
   */
  readonly takesIdempotencyKey?: boolean;
}

/** The aliases of one function's bundle. */
export function lambdaAliases(options: BundleOptions = {}): Record<string, string> {
  return {
    ...LAMBDA_ALIASES,
    ...(options.takesIdempotencyKey === false ? { [IDEMPOTENCY_STORE_IMPORT]: NO_IDEMPOTENCY_STORE } : {}),
  };
}
