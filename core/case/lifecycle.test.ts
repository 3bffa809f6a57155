/**
 * The lifecycle table drives every case status change. Checked against the lifecycle as the API
 * contract describes it (written out here independently of the table), and by random action
 * sequences: no sequence ever reaches a state the table forbids, and a final state allows nothing.
 * Pure: no emulators.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../shared/errors.ts';
import {
  ALLOWED,
  assertAllowed,
  CASE_ACTIONS,
  CASE_STATUSES,
  type CaseAction,
  type CaseStatus,
  type CorrectionStage,
  correctionStageOf,
  INITIAL_STATUS,
  isFinal,
  leadsTo,
  statusesAllowing,
  transition,
} from './lifecycle.ts';

/** The lifecycle as the contract tells it: "from action to" (supplement: back to where asked). */
const EDGES = [
  'submitted accept in_review',
  'submitted refuse rejected',
  'submitted request_correction awaiting_correction',
  'submitted withdraw withdrawn',
  'in_review merge in_review',
  'in_review record_results in_review',
  'in_review request_correction awaiting_correction',
  'in_review issue issued',
  'in_review reject rejected',
  'in_review withdraw withdrawn',
  'awaiting_correction supplement <back-where-asked>',
  'awaiting_correction reject rejected',
  'awaiting_correction withdraw withdrawn',
];
const FINAL: readonly CaseStatus[] = ['issued', 'rejected', 'withdrawn'];
const expected = new Map(
  EDGES.map((e) => {
    const [from, action, to] = e.split(' ') as [CaseStatus, CaseAction, string];
    return [`${from} ${action}`, to] as const;
  }),
);

/** A case as it moves: its status and, while a correction is open, the stage it was asked at. */
interface Model {
  status: CaseStatus;
  correction?: { stage: CorrectionStage };
}

function apply(model: Model, action: CaseAction): Model {
  const t = transition(model.status, action, { correction: model.correction });
  if (t.action === 'request_correction') {
    const stage = correctionStageOf(t.from);
    if (!stage) throw new Error(`a correction asked in ${t.from} has no stage`);
    return { status: t.to, correction: { stage } };
  }
  return { status: t.to };
}

describe('transition', () => {
  it('allows exactly the transitions of the contract, and leads where the contract says', () => {
    for (const status of CASE_STATUSES)
      for (const action of CASE_ACTIONS) {
        const want = expected.get(`${status} ${action}`);
        if (want === undefined) {
          expect(() => transition(status, action), `${status} ${action}`).toThrow(ConflictError);
          expect(ALLOWED[status]).not.toContain(action);
        } else if (want === '<back-where-asked>') {
          expect(transition(status, action, { correction: { stage: 'acceptance' } })).toEqual({
            action,
            from: status,
            to: 'submitted',
          });
          expect(transition(status, action, { correction: { stage: 'review' } })).toEqual({
            action,
            from: status,
            to: 'in_review',
          });
        } else {
          expect(transition(status, action), `${status} ${action}`).toEqual({
            action,
            from: status,
            to: want,
          });
          expect(ALLOWED[status]).toContain(action);
        }
      }
  });

  it('refuses a supplement without the correction it answers', () => {
    expect(() => transition('awaiting_correction', 'supplement')).toThrow(ConflictError);
  });

  it('gives a correction its stage from where it is asked', () => {
    expect(correctionStageOf('submitted')).toBe('acceptance');
    expect(correctionStageOf('in_review')).toBe('review');
    for (const s of CASE_STATUSES.filter((s) => !statusesAllowing('request_correction').includes(s)))
      expect(correctionStageOf(s)).toBeUndefined();
  });

  it('names the statuses an action is allowed in and the one it leads to', () => {
    expect(statusesAllowing('withdraw')).toEqual(['submitted', 'in_review', 'awaiting_correction']);
    expect(leadsTo('withdraw')).toBe('withdrawn');
    expect(leadsTo('reject')).toBe('rejected');
    expect(() => leadsTo('supplement')).toThrow();
    expect(() => leadsTo('merge')).not.toThrow(); // in_review only
  });

  it('treats exactly issued, rejected and withdrawn as final', () => {
    expect(CASE_STATUSES.filter(isFinal)).toEqual(FINAL);
    expect(INITIAL_STATUS).toBe('submitted');
  });

  it('never reaches a state the table forbids, over random action sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CASE_ACTIONS), { maxLength: 40 }), (actions) => {
        let model: Model = { status: INITIAL_STATUS };
        for (const action of actions) {
          const before = model;
          const want = expected.get(`${before.status} ${action}`);
          let after: Model;
          try {
            after = apply(before, action);
          } catch (err) {
            // Refused: only what the contract forbids, and nothing moved.
            expect(err).toBeInstanceOf(ConflictError);
            expect(want).toBeUndefined();
            expect(() => assertAllowed(before.status, action)).toThrow(ConflictError);
            continue;
          }
          expect(want, `${before.status} ${action}`).toBeDefined();
          expect(CASE_STATUSES).toContain(after.status);
          expect(isFinal(before.status)).toBe(false);
          if (want === '<back-where-asked>') {
            // A supplement goes back exactly to where the open correction was asked.
            const askedIn = before.correction?.stage === 'acceptance' ? 'submitted' : 'in_review';
            expect(after.status).toBe(askedIn);
          } else expect(after.status).toBe(want);
          model = after;
        }
        // Once final, nothing is allowed any more.
        if (isFinal(model.status))
          for (const action of CASE_ACTIONS)
            expect(() => transition(model.status, action, { correction: { stage: 'review' } })).toThrow(
              ConflictError,
            );
      }),
      { numRuns: 500 },
    );
  });

  it('reaches every status from submission', () => {
    const seen = new Set<CaseStatus>([INITIAL_STATUS]);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CASE_ACTIONS), { maxLength: 12 }), (actions) => {
        let model: Model = { status: INITIAL_STATUS };
        for (const action of actions)
          if (ALLOWED[model.status].includes(action)) {
            model = apply(model, action);
            seen.add(model.status);
          }
      }),
      { numRuns: 300, seed: 11 },
    );
    expect([...seen].sort()).toEqual([...CASE_STATUSES].sort());
  });
});
