import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three tiers, by file name (STYLE.md §20), as vitest projects:
 *   unit  `*.test.ts`      pure, no emulators: `npm run test:unit` is the inner loop (seconds)
 *   int   `*.int.test.ts`  adapters and handlers against DynamoDB Local, the S3 emulator, the ASL runtime
 *   e2e   `*.e2e.test.ts`  HTTP against a running stack (local by default; `npm run test:e2e -- --target=…`)
 * `npm test` runs all three. The int and e2e tiers share ONE local stack per run (test/support/global-setup.ts).
 */
const exclude = [...configDefaults.exclude, 'cdk.out/**', '.local/**'];

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
          // The bench smoke test starts a stack of its own in a child process: not a unit test.
          exclude: [...exclude, '**/*.int.test.ts', '**/*.e2e.test.ts', 'bench/**'],
        },
      },
      withStack('int', ['**/*.int.test.ts', 'bench/**/*.test.ts']),
      withStack('e2e', ['**/*.e2e.test.ts']),
    ],
  },
});
