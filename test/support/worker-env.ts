/**
 * Gives each test worker the local stack's environment, as a Lambda would get its own. Against a
 * deployed e2e target (test/e2e/target.ts) there is none: only the black-box suite can run, with
 * the patience that cold Lambdas need.
 */
import { expect, inject, vi } from 'vitest';
import { isLocalTarget } from '../e2e/target.ts';

Object.assign(process.env, inject('localEnv'));

if (!isLocalTarget()) {
  const file = expect.getState().testPath ?? '';
  if (!/[\\/]test[\\/]e2e[\\/]/.test(file))
    throw new Error(
      `E2E_TARGET=${process.env.E2E_TARGET} applies to the HTTP suite only (test/e2e), not to ${file}: ` +
        'run it with `npm run test:e2e -- --target=…`, and everything else without E2E_TARGET.',
    );
  vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
}
