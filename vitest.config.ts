import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three tiers, by file name (STYLE.md §20), as vitest projects:
 *   unit  `*.test.ts`      pure, no emulators: `npm run test:unit` is the inner loop (seconds)
 *   int   `*.int.test.ts`  adapters and handlers against DynamoDB Local, the S3 emulator, the ASL runtime;
 *                          with it, the `*.test.ts` that drive a toolchain (CDK synth, the ASL runtime, the bench)
 *   e2e   `*.e2e.test.ts`  HTTP against a running stack (local by default; `npm run test:e2e -- --target=…`)
 *   web   `*.web.test.ts`  the web apps in a real browser (Chromium via playwright-core) against the local stack
 * `npm test` runs them all. The int, e2e and web tiers share ONE local stack per run (test/support/global-setup.ts).
 */
const exclude = [...configDefaults.exclude, 'cdk.out/**', '.local/**'];

/** Tests that drive a toolchain (CDK synth, the Step Functions runtime, the bench) rather than pure code. */
const TOOLCHAIN_TESTS = [
  'bench/**/*.test.ts',
  'infra/**/*.test.ts',
  'local/stepfunctions/**/*.test.ts',
  'test/statemachines/**/*.test.ts',
  'test/api/openapi.test.ts',
  'test/support/iam-proof.test.ts',
];

/** A tier that needs the local stack: started once for the run, its environment handed to each worker. */
const withStack = (name: string, include: string[]) => ({
  extends: true as const,
  test: {
    name,
    include,
    exclude,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/worker-env.ts'],
  },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          // Not the inner loop: the bench smoke test (a stack of its own in a child process) and the
          // tests that synthesize the CDK stack or run the ASL on the local Step Functions runtime
          // (no emulator, but seconds each) — they run with the int tier.
          exclude: [
            ...exclude,
            '**/*.int.test.ts',
            '**/*.e2e.test.ts',
            '**/*.web.test.ts',
            ...TOOLCHAIN_TESTS,
          ],
        },
      },
      withStack('int', ['**/*.int.test.ts', ...TOOLCHAIN_TESTS]),
      withStack('e2e', ['**/*.e2e.test.ts']),
      withStack('web', ['**/*.web.test.ts']),
    ],
  },
});
