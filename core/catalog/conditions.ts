/**
 * Conditional fields and materials (shown and required only when a form answer makes them so, e.g.
 * 委托代理 → 授权委托书) and materials asked once per party (each seller, each heir…): the pure rules
 * that the merged form, the guide and the application check share.
 */
import type { Condition, Party } from './schema.ts';

type Scalar = string | number | boolean;

/** Whether the form's answer meets the condition (an absent answer meets none). */
export function conditionHolds(c: Condition, form: Readonly<Record<string, unknown>>): boolean {
  const value = form[c.field];
  return (Array.isArray(c.equals) ? c.equals : [c.equals]).some((v: Scalar) => v === value);
}

/** Applies when unconditional (`when` undefined) or when any of its conditions holds. */
export function applies(when: readonly Condition[] | undefined, form: Readonly<Record<string, unknown>>) {
  return when === undefined || when.some((c) => conditionHolds(c, form));
}

/** A stable key of a condition, so merged condition lists do not depend on the order of services. */
export const conditionKey = (c: Condition) =>
  JSON.stringify([c.field, Array.isArray(c.equals) ? [...c.equals].sort() : c.equals]);

/**
 * Merges the conditions of the references to one field or material: the references that count
 * are the required ones when there are any (else all); if any of them is unconditional, so is the
 * merged item, else it applies when any of their conditions holds (sorted, deduplicated).
 */
export function mergeConditions(
  refs: readonly { readonly required: boolean; readonly when?: Condition | undefined }[],
): Condition[] | undefined {
  const counted = refs.some((r) => r.required) ? refs.filter((r) => r.required) : refs;
  if (counted.some((r) => r.when === undefined)) return undefined;
  const byKey = new Map(counted.map((r) => [conditionKey(r.when!), r.when!]));
  return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, c]) => c);
}

/** How many parties the form counts (at least 1: a material asked per party is asked at least once). */
export function partyCount(party: Party, form: Readonly<Record<string, unknown>>): number {
  const n = form[party.countField];
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
}
