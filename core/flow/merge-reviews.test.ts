/**
 * 汇总 as properties (fast-check), over random bundles, choices and decisions: corrections asked by
 * any departments become ONE consolidated request; what is approved is always among the chosen
 * services; and the result does not depend on the order the tasks are read in. Pure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseRecord } from '#test/support/in-memory-cases.ts';
import type { Outcome, TaskRecord } from '../case/model.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { MAX_CORRECTION_ROUNDS, mergeReviews } from './plan.ts';

const NOW = new Date('2026-11-10T02:00:00.000Z');
const DEPARTMENTS = ['d0', 'd1', 'd2'];
const CASE_ID = 'c-aaaaaaaaaaaaaaaaaaaaaaaa';

const scenario = fc
  .record({
    // Each service's department; the bundle has 1–6 services.
    owners: fc.array(fc.constantFrom(...DEPARTMENTS), { minLength: 1, maxLength: 6 }),
    chosenMask: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    decisions: fc.array(
      fc.record({
        outcome: fc.constantFrom<Outcome>('approve', 'reject', 'correct'),
        corrections: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }),
        opinion: fc.string({ maxLength: 8 }),
        /** An earlier round's correction request, superseded by this (latest) review. */
        superseded: fc.boolean(),
      }),
      { minLength: 3, maxLength: 3 },
    ),
    correctionRound: fc.integer({ min: 0, max: MAX_CORRECTION_ROUNDS }),
    seed: fc.nat(),
  })
  .map((s) => {
    const services = s.owners.map((departmentId, i) => ({ id: `s${i}`, departmentId }));
    const chosen = services.filter((_, i) => s.chosenMask[i]).map((x) => x.id);
    return { ...s, services, chosen: chosen.length ? chosen : [services[0]!.id] };
  });

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function bundleOf(s: Scenario) {
  return CatalogSchema.parse({
    schemaVersion: 1,
    city: { id: 'test', name: '测试市' },
    version: 't',
    departments: DEPARTMENTS.map((id) => ({ id, name: id })),
    fields: [],
    materials: [],
    bundles: [
      {
        id: 'b',
        name: 'B',
        audience: 'person',
        detail: 'outline',
        draft: true,
        leadDepartmentId: 'd0',
        departmentIds: ['d1', 'd2'],
        services: s.services.map((x) => ({
          id: x.id,
          name: x.id,
          departmentId: x.departmentId,
          fields: [],
          materials: [],
          timeLimit: { legalDays: 5, committedDays: 3 },
          result: { kind: 'notice', name: 'n' },
        })),
      },
    ],
  }).bundles[0]!;
}

/** One decided review per department over its chosen services (latest round), plus superseded ones. */
function tasksOf(s: Scenario): TaskRecord[] {
  const round = s.correctionRound;
  const out: TaskRecord[] = [];
  DEPARTMENTS.forEach((departmentId, i) => {
    const mine = s.services.filter((x) => x.departmentId === departmentId && s.chosen.includes(x.id));
    if (!mine.length) return;
    const d = s.decisions[i]!;
    const task = (r: number, outcome: Outcome, corrections: string[]): TaskRecord => ({
      taskId: `${CASE_ID}.r${r}.${departmentId}`,
      caseId: CASE_ID,
      kind: 'review',
      departmentId,
      services: mine.map((x) => x.id),
      round: r,
      status: outcome === 'approve' ? 'approved' : outcome === 'reject' ? 'rejected' : 'correction_requested',
      createdAt: '2026-11-03T02:00:00.000Z',
      dueAt: '2026-11-20T02:00:00.000Z',
      overdue: false,
      escalations: 0,
      decision: {
        outcome,
        opinion: d.opinion,
        corrections: corrections.map((message) => ({ message })),
        decidedAt: '2026-11-04T02:00:00.000Z',
        decidedBy: `department:${departmentId}`,
      },
    });
    if (d.superseded && round > 0) out.push(task(round - 1, 'correct', ['earlier']));
    out.push(task(round, d.outcome, d.corrections));
  });
  return out;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const merge = (s: Scenario, tasks: readonly TaskRecord[]) =>
  mergeReviews(
    caseRecord({
      bundleId: 'b',
      services: s.chosen,
      correctionRound: s.correctionRound,
      status: 'in_review',
    }),
    bundleOf(s),
    tasks,
    NOW,
  );

describe('mergeReviews', () => {
  it('asks every correction of every asking department in ONE consolidated request', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const tasks = tasksOf(s);
        const latest = tasks.filter((t) => t.round === s.correctionRound);
        const asking = latest.filter((t) => t.decision?.outcome === 'correct');
        const result = merge(s, tasks);
        if (!asking.length || s.correctionRound >= MAX_CORRECTION_ROUNDS) {
          if (result.next === 'correct') expect(result.askedBy).toEqual([]); // only owed 容缺 materials
          return;
        }
        expect(result.next).toBe('correct');
        if (result.next !== 'correct') return;
        expect(result.askedBy).toEqual([...new Set(asking.map((t) => t.departmentId))].sort());
        // Every asking department's every item, each once, in one list; nothing from a superseded round.
        const want = asking.flatMap((t) =>
          (t.decision!.corrections.length
            ? t.decision!.corrections
            : [{ message: t.decision!.opinion || expect.any(String) }]
          ).map((c) => ({ ...c, departmentId: t.departmentId })),
        );
        expect(result.corrections).toHaveLength(want.length);
        expect(result.corrections).toEqual(expect.arrayContaining(want));
        expect(result.corrections.some((c) => c.message === 'earlier')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('approves only chosen services, never one it rejects, and decides every chosen one', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const result = merge(s, tasksOf(s));
        if (result.next === 'review') throw new Error('every chosen service was decided');
        for (const id of result.approved) expect(s.chosen).toContain(id);
        for (const r of result.rejected) expect(s.chosen).toContain(r.serviceId);
        const rejected = new Set(result.rejected.map((r) => r.serviceId));
        expect(result.approved.filter((id) => rejected.has(id))).toEqual([]);
        if (result.next !== 'correct') {
          expect(new Set([...result.approved, ...rejected])).toEqual(new Set(s.chosen));
          expect(result.next).toBe(result.approved.length ? 'issue' : 'reject');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order the tasks are read in', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const tasks = tasksOf(s);
        expect(merge(s, shuffled(tasks, s.seed))).toEqual(merge(s, tasks));
      }),
      { numRuns: 200 },
    );
  });
});
