/**
 * One stage's wait opens its tasks in one write (issue #14): every review of a stage holds the
 * stage's token, written in one transaction when none exists yet; a task opened early (on a
 * prerequisite's approval) makes the stage fall back to one write per task and gets the token too.
 * Against the local DynamoDB, calls seen by the AWS call recorder.
 */
import { describe, expect, it } from 'vitest';
import { runAsFunction, startAwsCallRecording } from '#adapters/aws-call-recorder.ts';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { flowDeps } from '#adapters/flow-deps.ts';
import { type TaskRecord, taskIdFor } from '#core/case/model.ts';
import type { Workflow } from '#core/case/ports.ts';
import { openStage } from '#core/flow/steps.ts';
import { caseWithReview } from '../support/planted-cases.ts';

const succeeded: string[] = [];
const workflow: Workflow = {
  start: async () => 'arn',
  succeed: async (token) => {
    succeeded.push(token);
    return 'delivered';
  },
  stop: async () => {},
};

const review = (caseId: string, departmentId: string) => ({
  caseId,
  kind: 'review' as const,
  departmentId,
  services: [`${departmentId}-svc`],
  round: 0,
  stage: 1,
  dueAt: '2030-01-01T00:00:00.000Z',
  timeoutSeconds: 3600,
});

async function recorded<T>(body: () => Promise<T>): Promise<{ result: T; writes: string[] }> {
  const recording = startAwsCallRecording();
  try {
    const result = await runAsFunction('open-task', body);
    const writes = recording
      .calls()
      .filter((c) => c.fn === 'open-task' && c.action !== 'dynamodb:ConditionCheckItem')
      .map((c) => `${c.commands.join('+')} ${c.count}`);
    return { result, writes };
  } finally {
    recording.stop();
  }
}

describe('a stage of reviews', () => {
  it('opens all its tasks in one transaction, each with the stage token and the stage size', async () => {
    const { caseId } = await caseWithReview('market-regulation', '2030-01-01T00:00:00.000Z');
    const reviews = ['public-security', 'tax', 'hrss'].map((d) => review(caseId, d));
    const { result, writes } = await recorded(() =>
      openStage(flowDeps(workflow), { caseId, round: 0, reviews, taskToken: 'stage-1' }),
    );
    expect(result.decided).toBe(false);
    expect(writes).toEqual(['TransactWriteItems 1']);
    for (const id of result.taskIds)
      expect(await taskRepository.get(id)).toMatchObject({
        status: 'pending',
        taskToken: 'stage-1',
        stageSize: 3,
      });
  });

  it('falls back to one write per task when one was opened early, and gives it the token', async () => {
    const { caseId } = await caseWithReview('market-regulation', '2030-01-01T00:00:00.000Z');
    const reviews = ['public-security', 'tax'].map((d) => review(caseId, d));
    // public-security opened early, without a token.
    await openStage(flowDeps(workflow), { caseId, round: 0, reviews: reviews.slice(0, 1), taskToken: 'x' });
    const early = `${caseId}.r0.public-security-s1`;
    const { result } = await recorded(() =>
      openStage(flowDeps(workflow), { caseId, round: 0, reviews, taskToken: 'stage-2' }),
    );
    expect(result.taskIds).toContain(early);
    expect(await taskRepository.get(early)).toMatchObject({ taskToken: 'stage-2' });
    expect(await taskRepository.get(`${caseId}.r0.tax-s1`)).toMatchObject({ taskToken: 'stage-2' });
  });
});

describe('a step that opens the next stage with its own write (TransitionEffects.openTasks)', () => {
  const next = (
    caseId: string,
    departmentId: string,
  ): { task: TaskRecord; timeline: { at: string; event: string } } => {
    const at = new Date().toISOString();
    return {
      task: {
        taskId: taskIdFor(caseId, 0, 'review', departmentId, 1),
        caseId,
        kind: 'review',
        departmentId,
        services: [`${departmentId}-svc`],
        round: 0,
        stage: 1,
        status: 'pending',
        createdAt: at,
        dueAt: '2030-01-01T00:00:00.000Z',
        overdue: false,
        escalations: 0,
        taskToken: 'carried',
        stageSize: 2,
        carryOn: true,
      },
      timeline: { at, event: 'review_task_opened' },
    };
  };
  const recordResults = (caseId: string, openTasks: ReturnType<typeof next>[]) => {
    const at = new Date().toISOString();
    return caseRepository.transition(
      caseId,
      ['in_review'],
      { status: 'in_review', results: { 'invoice-type-approval': { code: '1' } } },
      { at, event: 'results_recorded' },
      { actor: 'flow', action: 'results_recorded' },
      { openTasks },
    );
  };

  it('writes the case’s change and the tasks (with their token) in one transaction', async () => {
    const { caseId } = await caseWithReview('market-regulation', '2030-01-01T00:00:00.000Z');
    const entries = ['public-security', 'tax'].map((d) => next(caseId, d));
    const recording = startAwsCallRecording();
    let written: boolean;
    try {
      written = await runAsFunction('decide-task', () => recordResults(caseId, entries));
      // One call: the recorder lists it once per IAM action it needs (UpdateItem, PutItem).
      const calls = recording.calls().filter((c) => c.fn === 'decide-task');
      expect(calls.map((c) => [c.action, c.commands.join('+'), c.count])).toEqual(
        expect.arrayContaining([
          ['dynamodb:UpdateItem', 'TransactWriteItems', 1],
          ['dynamodb:PutItem', 'TransactWriteItems', 1],
        ]),
      );
      expect(calls.every((c) => c.commands.join('+') === 'TransactWriteItems' && c.count === 1)).toBe(true);
    } finally {
      recording.stop();
    }
    expect(written).toBe(true);
    expect((await caseRepository.get(caseId))?.results).toEqual({ 'invoice-type-approval': { code: '1' } });
    for (const e of entries)
      expect(await taskRepository.get(e.task.taskId)).toMatchObject({
        status: 'pending',
        taskToken: 'carried',
        stageSize: 2,
        carryOn: true,
      });
  });

  it('writes nothing when one of the tasks exists already (the caller then moves without them)', async () => {
    const { caseId } = await caseWithReview('market-regulation', '2030-01-01T00:00:00.000Z');
    const [early, fresh] = ['public-security', 'tax'].map((d) => next(caseId, d));
    await taskRepository.open(
      { ...early!.task, taskToken: undefined, stageSize: undefined, carryOn: undefined },
      early!.timeline,
    );
    const before = await caseRepository.get(caseId);
    expect(await recordResults(caseId, [early!, fresh!])).toBe(false);
    expect(await caseRepository.get(caseId)).toEqual(before);
    expect(await taskRepository.get(fresh!.task.taskId)).toBeUndefined();
    expect((await taskRepository.get(early!.task.taskId))?.taskToken).toBeUndefined();
  });
});
