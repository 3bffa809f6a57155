/**
 * Starts the whole local stack once per test run (the same code as `npm start`) and hands its
 * URLs, environment and demo credentials to the test workers. Each test uses fresh ids.
 *
 * With a deployed e2e target (E2E_TARGET=localstack or a URL; test/e2e/target.ts) nothing local
 * starts: the workers get the target's base URL and credentials, and no local environment.
 */
import type { TestProject } from 'vitest/node';
import type { DemoCredentials } from '../../local/setup/demo-credentials.ts';
import { type DeployedTarget, deployedTarget } from '../e2e/target.ts';
import { captureOutput, personalDataIn } from './log-scan.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localEnv: Record<string, string>;
    baseUrl: string;
    credentials: DemoCredentials;
  }
}

interface SharedStack {
  readonly localEnv: Record<string, string>;
  readonly baseUrl: string;
  readonly credentials: DemoCredentials;
  users: number;
  stop(): Promise<void>;
}

/**
 * The int and e2e projects each run this setup; they share one stack, kept on globalThis (both
 * setups run in vitest's main process, but each project may load this module afresh). The last
 * project to finish stops it and scans the logs.
 */
const shared = globalThis as typeof globalThis & { __yijianshiStack?: Promise<SharedStack> };

export default async function setup(project: TestProject) {
  const deployed = deployedTarget();
  if (deployed) return useDeployedTarget(project, deployed);
  shared.__yijianshiStack ??= startSharedStack();
  const stack = await shared.__yijianshiStack;
  stack.users += 1;
  project.provide('localEnv', { ...stack.localEnv });
  project.provide('baseUrl', stack.baseUrl);
  project.provide('credentials', stack.credentials);
  return async () => {
    stack.users -= 1;
    if (stack.users === 0) {
      shared.__yijianshiStack = undefined;
      // vitest prints a teardown error ("error during close") but would still exit 0: fail the run.
      await stack.stop().catch((err: unknown) => {
        process.exitCode = 1;
        throw err;
      });
    }
  };
}

async function startSharedStack(): Promise<SharedStack> {
  const started = Date.now();
  // Everything the system logs during the run is scanned for personal data at the end.
  const capture = captureOutput();
  // Every AWS call of every function is checked against its IAM policy at the end (the IAM proof).
  const iamProof = (await import('./iam-proof.ts')).startIamProof();
  // Imported here, so that a run against a deployed target loads none of the local runtime.
  const { startLocalStack } = await import('../../local/stack.ts');
  const { createDemoCredentials } = await import('../../local/setup/demo-credentials.ts');
  // Departments see a closed case's personal data in full for this long (30 days by default):
  // short, so that the masking after it is seen within a test.
  process.env.DEPARTMENT_ACCESS_AFTER_CLOSE ??= '4s';
  // The authorizer cache as API Gateway has it, shortened from 300 s so that the revocation tests
  // can watch a revoked credential stop working (AUTHORIZER_CACHE_SECONDS in the workers' env).
  const stack = await startLocalStack({ city: 'changzhou', authorizerCacheMs: 1500 });
  const credentials = await createDemoCredentials(stack);
  process.stdout.write(`local stack for tests ready in ${Date.now() - started} ms at ${stack.baseUrl}\n`);
  return {
    localEnv: { ...stack.env },
    baseUrl: stack.baseUrl,
    credentials,
    users: 0,
    async stop() {
      await stack.stop();
      capture.restore();
      const proof = await iamProof.finish().catch((err: Error) => err);
      const leaks = personalDataIn(capture.text());
      if (leaks.length)
        throw new Error(`The system logged personal data or secrets during the tests: ${leaks.join(', ')}`);
      process.stdout.write(
        `log scan: ${capture.text().length} characters of system logs, no personal data or secrets\n`,
      );
      if (proof instanceof Error) throw proof;
      process.stdout.write(`${proof.report}\n`);
    },
  };
}

/**
 * A deployed target: checked to answer (the first request may start a cold Lambda), then handed to
 * the workers. Its logs are its own, so the personal-data scan of the local run does not apply.
 */
async function useDeployedTarget(project: TestProject, deployed: DeployedTarget): Promise<void> {
  const health = `${deployed.baseUrl}/v1/health`;
  try {
    const res = await fetch(health, { signal: AbortSignal.timeout(60_000) });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new Error(
      `The e2e target (${deployed.kind}, credentials ${deployed.credentialsFile}) does not answer GET ${health}: ` +
        `${e.cause?.message ?? e.message}` +
        (deployed.kind === 'localstack'
          ? ' — is LocalStack running and the stack deployed? See docs/localstack.md.'
          : ''),
    );
  }
  project.provide('localEnv', {});
  project.provide('baseUrl', deployed.baseUrl);
  project.provide('credentials', deployed.credentials);
  process.stdout.write(
    `e2e target: ${deployed.kind} at ${deployed.baseUrl} (no local stack started; local-only tests are skipped)\n`,
  );
}
