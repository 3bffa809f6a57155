/**
 * The IAM proof of a test run (issue 11, least privilege, proven): every AWS SDK call the
 * functions make while the shared local stack runs is recorded (adapters/aws-call-recorder.ts) and,
 * when the stack stops, checked against each function's policy in the synthesized changzhou
 * template (infra/iam-proof.ts). A call the policy would deny fails the run, naming the function,
 * the action, the resource and where to grant it; grants never used are printed for information.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AwsCallRecording, startAwsCallRecording } from '../../adapters/aws-call-recorder.ts';
import {
  checkCalls,
  describeDenied,
  describeProof,
  type ProofResult,
  type Template,
} from '../../infra/iam-proof.ts';

const templates = new Map<string, Promise<Template>>();

/**
 * The template `cdk synth -c city=<city>` deploys, without bundling (as infra/city-stack.test.ts
 * builds it); synthesized once per process and city. Callers must not change it (copy it first).
 */
export function synthesizedTemplate(city = 'changzhou'): Promise<Template> {
  let t = templates.get(city);
  if (!t) {
    t = synthesize(city);
    templates.set(city, t);
  }
  return t;
}

async function synthesize(city: string): Promise<Template> {
  const [{ createCityApp }, { repoRoot }, { Template: Assertions }] = await Promise.all([
    import('../../infra/city-app.ts'),
    import('../../infra/paths.ts'),
    import('aws-cdk-lib/assertions'),
  ]);
  const context = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: object })
    .context;
  const { stack } = createCityApp({
    appProps: {
      context: { ...context, city, 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    },
    nagChecks: false,
  });
  return Assertions.fromStack(stack).toJSON() as Template;
}

export interface IamProofRun {
  readonly recording: AwsCallRecording;
  /** Checks what was recorded; throws on any denied call. Returns the report. */
  finish(): Promise<{ result: ProofResult; report: string }>;
}

export function startIamProof(): IamProofRun {
  const recording = startAwsCallRecording();
  return {
    recording,
    async finish() {
      recording.stop();
      const calls = recording.calls();
      // IAM_PROOF_OUT=<file>: the recorded calls as JSON, to look at what each function used.
      if (process.env.IAM_PROOF_OUT) writeFileSync(process.env.IAM_PROOF_OUT, JSON.stringify(calls, null, 2));
      const template = await synthesizedTemplate();
      const result = checkCalls(template, calls);
      const report = describeProof(result, template);
      if (result.denied.length)
        throw new Error(
          `The IAM policies of the stack would deny ${result.denied.length} call(s) the functions made during the tests:\n` +
            result.denied.map((d) => `  ${describeDenied(d)}`).join('\n'),
        );
      // Not vacuous: what ran must show up. Functions ran → some of their calls were attributed;
      // a case flow started → its first task (run by the local Step Functions runtime) was seen.
      const invoked = recording.invocations();
      if (invoked.size > 0 && result.functions.length === 0)
        throw new Error(
          `The IAM proof saw ${invoked.size} functions run and ${recording.total} AWS calls, none attributed to a function: attribution (local/lambda-registry.ts invokeFunction) is broken.`,
        );
      const started = calls.some((c) => c.fn === 'submit-case' && c.action === 'states:StartExecution');
      if (started && !result.functions.includes('open-task'))
        throw new Error(
          'The IAM proof saw submit-case start case flows but no call of their first task (open-task): the Step Functions runtime does not invoke tasks through invokeFunction any more.',
        );
      const silent = [...invoked.keys()].filter((fn) => !result.functions.includes(fn)).sort();
      const summary = `IAM proof: ${invoked.size} functions ran (${[...invoked.values()].reduce((a, b) => a + b, 0)} invocations); without any AWS call: ${silent.join(', ') || 'none'}`;
      return { result, report: `${report}\n${summary}` };
    },
  };
}
