/**
 * Starts the whole local stack once per test run (the same code as `npm start`) and hands its
 * URLs, environment and demo credentials to the test workers. Each test uses fresh ids.
 */
import type { TestProject } from 'vitest/node';
import { createDemoCredentials, type DemoCredentials } from '../../local/setup/demo-credentials.ts';
import { startLocalStack } from '../../local/stack.ts';
import { captureOutput, personalDataIn } from './log-scan.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localEnv: Record<string, string>;
    baseUrl: string;
    credentials: DemoCredentials;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  // Everything the system logs during the run is scanned for personal data at the end.
  const capture = captureOutput();
  const stack = await startLocalStack({ city: 'changzhou' });
  const credentials = await createDemoCredentials(stack);
  project.provide('localEnv', { ...stack.env });
  project.provide('baseUrl', stack.baseUrl);
  project.provide('credentials', credentials);
  process.stdout.write(`local stack for tests ready in ${Date.now() - started} ms at ${stack.baseUrl}\n`);
  return async () => {
    await stack.stop();
    capture.restore();
    const leaks = personalDataIn(capture.text());
    if (leaks.length)
      throw new Error(`The system logged personal data or secrets during the tests: ${leaks.join(', ')}`);
    process.stdout.write(
      `log scan: ${capture.text().length} characters of system logs, no personal data or secrets\n`,
    );
  };
}
