/**
 * What every Lambda bundle replaces at bundling (esbuild aliases): shared by the construct that
 * bundles for deployment (infra/constructs/handler-function.ts) and the cold-start benchmark, so the
 * two cannot drift. No CDK here: the benchmark imports it.
 */
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  // The execution role's credentials are in the environment: no default provider chain.
  '@aws-sdk/credential-provider-node': join(repoRoot, 'adapters', 'aws', 'lambda-credentials.ts'),
  // No operation of this project streams events: the SDK's event-stream codec stays out (~15 KiB).
  '@smithy/core/event-streams': join(repoRoot, 'adapters', 'aws', 'no-event-streams.ts'),
};
