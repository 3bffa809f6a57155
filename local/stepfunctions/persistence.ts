/**
 * Survives a restart of the local runtime (`npm start -- --persist`): every execution's name,
 * state machine, input and status are kept in a JSON file; executions still RUNNING when the
 * process died are started again, under the same name and input, when it comes back.
 *
 * Resuming by replay is sound because every task of the case flow is idempotent and reads its
 * state from DynamoDB: a replayed acceptance or review finds its recorded decision and completes at
 * once (core/flow/steps.ts openTask), a replayed merge finds its correction already requested, and
 * a step the case has moved past leaves it as it is. Open tasks get fresh task tokens.
 *
 * A graceful stop (Ctrl-C) closes the runtime, which aborts what is running; those executions
 * were stopped by nobody — on AWS they would still be running — so they stay RUNNING here and
 * resume like the ones a crash left behind.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type ExecutionDescription, type LocalStepFunctions, RUNTIME_CLOSED_ERROR } from './runtime.ts';

interface Saved {
  readonly name: string;
  readonly stateMachineName: string;
  readonly input: string;
  readonly status: string;
  readonly startDate: string;
}

export function persistExecutions(runtime: LocalStepFunctions, file: string): { resume(): Promise<number> } {
  const saved = new Map<string, Saved>(
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Saved[]).map((s) => [s.name, s]) : [],
  );
  const write = () => {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify([...saved.values()], null, 1));
    renameSync(tmp, file); // atomic: a crash never leaves half a file
  };
  const record = (d: ExecutionDescription) => {
    saved.set(d.name, {
      name: d.name,
      stateMachineName: d.stateMachineArn.split(':').pop() ?? '',
      input: d.input ?? '{}',
      status: d.status,
      startDate: new Date(d.startDate).toISOString(),
    });
    write();
  };
  const toResume = [...saved.values()].filter((s) => s.status === 'RUNNING');

  runtime.on('executionStarted', record);
  runtime.on('executionEnded', (d) => {
    if (d.status === 'ABORTED' && d.error === RUNTIME_CLOSED_ERROR) return; // still running: resume it
    record(d);
  });

  /** Starts again what was running; call once the task functions can reach every service. */
  const resume = async () => {
    const machines = new Map(
      (await runtime.listStateMachines()).stateMachines.map((m) => [m.name, m.stateMachineArn]),
    );
    let n = 0;
    for (const s of toResume) {
      const arn = machines.get(s.stateMachineName);
      if (!arn) continue;
      saved.delete(s.name); // the same name may be started again: it is a fresh run of that execution
      await runtime.startExecution({ stateMachineArn: arn, name: s.name, input: s.input });
      n++;
    }
    return n;
  };
  return { resume };
}
