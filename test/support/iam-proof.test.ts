/**
 * The end of a test run's IAM proof (test/support/iam-proof.ts, called by global-setup's teardown),
 * without emulators: calls recorded through the real recorder, checked against the real
 * synthesized template — passing, failing on a denied call, and refusing to pass vacuously.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordStandIn, runAsFunction } from '../../adapters/aws-call-recorder.ts';
import { type IamProofRun, startIamProof } from './iam-proof.ts';

let run: IamProofRun | undefined;
afterEach(() => run?.recording.stop());

describe("the test run's IAM proof", () => {
  it('passes what the stack grants, and reports it', async () => {
    run = startIamProof();
    runAsFunction('issue-licenses', () => recordStandIn('kms', 'Sign', {}, 'local signer'));
    runAsFunction('get-health', () => undefined);
    const { result, report } = await run.finish();
    expect(result.denied).toEqual([]);
    expect(result.functions).toEqual(['issue-licenses']);
    expect(report).toContain('without any AWS call: get-health');
  }, 60_000);

  it('fails on a call the function is not granted, naming it and where to grant it', async () => {
    run = startIamProof();
    runAsFunction('get-case', () => recordStandIn('kms', 'Sign', {}, 'local signer'));
    await expect(run.finish()).rejects.toThrow(
      /get-case: kms:Sign on the license signing key .*functions\/get-case\.handler\.ts/,
    );
  }, 60_000);

  it('does not pass vacuously: flows started but their tasks never seen', async () => {
    run = startIamProof();
    runAsFunction('submit-case', () => recordStandIn('sfn', 'StartExecution', {}, 'test'));
    await expect(run.finish()).rejects.toThrow(/no call of their first task \(open-task\)/);
  }, 60_000);

  it('does not pass vacuously: functions ran and AWS was called, but nothing was attributed', async () => {
    run = startIamProof();
    runAsFunction('get-case', () => undefined);
    recordStandIn('kms', 'Sign', {}, 'test');
    await expect(run.finish()).rejects.toThrow(/none attributed to a function/);
  }, 60_000);
});
