/** Task ids name their case and kind (taskIdFor ↔ taskRefOf): what a blind decision addresses. Pure. */
import { describe, expect, it } from 'vitest';
import { TASK_KINDS, taskIdFor, taskRefOf } from './model.ts';

const CASE = 'c-aaaaaaaaaaaaaaaaaaaaaaaa';

describe('taskRefOf', () => {
  it.each(TASK_KINDS.flatMap((kind) => [0, 2].map((stage) => [kind, stage] as const)))(
    'reads back the case and kind %s (stage %i) that taskIdFor put in the id',
    (kind, stage) => {
      for (const departmentId of ['market-regulation', 'pboc-changzhou', 'tax'])
        expect(taskRefOf(taskIdFor(CASE, 3, kind, departmentId, stage))).toEqual({ caseId: CASE, kind });
    },
  );

  it('names no task for an id taskIdFor cannot make', () => {
    for (const id of ['', 'x', `${CASE}.acceptance`, `${CASE}.r0.`, `${CASE}.r0.Tax`, `case.r0.tax`])
      expect(taskRefOf(id)).toBeUndefined();
  });
});
