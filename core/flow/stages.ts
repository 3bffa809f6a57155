/**
 * Staged dispatch (一次分办, 并联审批 with prerequisites): the chosen services form a dependency
 * graph from the bundle's rules — `order` (before → after) and `requires` (the required service
 * first) — and each review opens as soon as everything it depends on is approved, carrying the
 * results those prerequisites produced ("同步获取受理信息和前置部门的办理信息"). Independent branches
 * stay parallel. Bundles whose services each need an on-site inspection get ONE joint inspection
 * (联合勘验) that those services depend on instead of a visit each.
 *
 * Pure functions over the catalog and the stored tasks; the state machine loops over them.
 */
import type { CaseRecord, TaskRecord } from '../case/model.ts';
import type { Bundle, Service } from '../catalog/schema.ts';
import { workingDaysOf } from '../catalog/time-limit.ts';
import { usccCheckCharacter } from '../shared/identifiers.ts';

/** The graph node of the joint inspection (联合勘验), beside the service ids. */
export const JOINT_INSPECTION = 'joint-inspection';

/** node → the nodes it waits for. Every chosen service is a key (possibly with no prerequisites). */
export type Prerequisites = ReadonlyMap<string, readonly string[]>;

export interface JointInspection {
  /** The inspected services: their reviews wait for the inspection's findings. */
  readonly services: readonly string[];
  /** The departments inspecting together; the first (the lead's, when it inspects) organises. */
  readonly departments: readonly string[];
}

/** One joint inspection when at least two chosen services need an on-site inspection. */
export function jointInspection(bundle: Bundle, chosen: readonly string[]): JointInspection | undefined {
  const inspected = bundle.services.filter((s) => chosen.includes(s.id) && s.inspection);
  if (inspected.length < 2) return undefined;
  const departments = [...new Set(inspected.map((s) => s.departmentId))].sort((a, b) =>
    a === bundle.leadDepartmentId ? -1 : b === bundle.leadDepartmentId ? 1 : 0,
  );
  return { services: inspected.map((s) => s.id), departments };
}

/** The dependency graph of the chosen services (rules naming unchosen services do not apply). */
export function prerequisites(bundle: Bundle, chosen: readonly string[]): Prerequisites {
  const set = new Set(chosen);
  const out = new Map<string, string[]>(
    bundle.services.filter((s) => set.has(s.id)).map((s) => [s.id, [] as string[]]),
  );
  const add = (node: string, before: string) => {
    const list = out.get(node);
    if (list && set.has(before) && before !== node && !list.includes(before)) list.push(before);
  };
  for (const r of bundle.rules) {
    if (r.kind === 'order') add(r.after, r.before);
    if (r.kind === 'requires') add(r.service, r.requires);
  }
  const joint = jointInspection(bundle, chosen);
  if (joint) {
    // The inspection takes place once the inspected services' own prerequisites are met.
    const before = [...new Set(joint.services.flatMap((s) => out.get(s) ?? []))];
    out.set(JOINT_INSPECTION, before);
    for (const s of joint.services) out.get(s)!.push(JOINT_INSPECTION);
  }
  return breakCycles(out);
}

/** A cycle in a catalog's rules must not stall a case: its last edge is dropped (reported by the catalog check). */
function breakCycles(graph: Map<string, string[]>): Prerequisites {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string) => {
    state.set(node, 'visiting');
    const list = graph.get(node) ?? [];
    for (const p of [...list]) {
      if (state.get(p) === 'visiting') list.splice(list.indexOf(p), 1);
      else if (!state.has(p)) visit(p);
    }
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return graph;
}

/**
 * Whether approving `task` can complete another node's prerequisites: a joint inspection always
 * can; a review only if some bundle's rules name one of its services as what another waits for.
 * A cheap check over the catalog, so a leaf's approval costs no reads of the case.
 */
export function mayOpenDependants(
  bundles: Iterable<Bundle>,
  task: { readonly kind: string; readonly services: readonly string[] },
): boolean {
  if (task.kind === 'inspection') return true;
  if (task.kind !== 'review') return false;
  for (const b of bundles)
    for (const r of b.rules)
      if (task.services.includes(r.kind === 'order' ? r.before : r.kind === 'requires' ? r.requires : ''))
        return true;
  return false;
}

/** Every node's depth: 0 without prerequisites, else one more than its deepest prerequisite. */
export function depths(graph: Prerequisites): Map<string, number> {
  const memo = new Map<string, number>();
  const depth = (node: string): number => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...(graph.get(node) ?? []).map(depth)) + 1;
    memo.set(node, d);
    return d;
  };
  for (const node of graph.keys()) depth(node);
  return memo;
}

/** Every node that (transitively) waits for `node`. */
export function dependantsOf(graph: Prerequisites, node: string): string[] {
  const out = new Set<string>();
  const walk = (n: string) => {
    for (const [k, pre] of graph)
      if (pre.includes(n) && !out.has(k)) {
        out.add(k);
        walk(k);
      }
  };
  walk(node);
  return [...out];
}

/** Every node `node` (transitively) waits for. */
export function prerequisitesOf(graph: Prerequisites, node: string): string[] {
  const out = new Set<string>();
  const walk = (n: string) => {
    for (const p of graph.get(n) ?? [])
      if (!out.has(p)) {
        out.add(p);
        walk(p);
      }
  };
  walk(node);
  return [...out];
}

export interface CriticalPath {
  /** Working days along the longest chain (the bundle's time limit under staged dispatch). */
  readonly days: number;
  /** The chain, first to last: service ids (and the joint inspection, if it is on the path). */
  readonly path: readonly string[];
}

/**
 * The bundle's time limit: the longest path through the graph, each service counting its committed
 * working days (calendar-day limits converted). The joint inspection counts no days of its own —
 * it takes place within the inspected services' limits.
 */
export function criticalPath(services: readonly Service[], graph: Prerequisites): CriticalPath {
  const days = new Map(
    services.map((s) => [s.id, workingDaysOf(s.timeLimit.committedDays, s.timeLimit.unit)]),
  );
  const memo = new Map<string, CriticalPath>();
  const longest = (node: string): CriticalPath => {
    const known = memo.get(node);
    if (known) return known;
    let best: CriticalPath = { days: 0, path: [] };
    for (const p of graph.get(node) ?? []) {
      const c = longest(p);
      if (c.days > best.days || (c.days === best.days && c.path.length > best.path.length)) best = c;
    }
    const own = days.get(node) ?? 0;
    const result = { days: best.days + own, path: [...best.path, node] };
    memo.set(node, result);
    return result;
  };
  let best: CriticalPath = { days: 0, path: [] };
  for (const node of graph.keys()) {
    const c = longest(node);
    if (c.days > best.days || (c.days === best.days && c.path.length > best.path.length)) best = c;
  }
  return best;
}

export type NodeState =
  | { readonly state: 'unopened' }
  | { readonly state: 'pending'; readonly task: TaskRecord }
  | { readonly state: 'approve' | 'reject' | 'correct'; readonly task: TaskRecord };

/** Which stored tasks decide a node: reviews covering a service, or the joint inspection. */
const covers = (t: TaskRecord, node: string) =>
  node === JOINT_INSPECTION ? t.kind === 'inspection' : t.kind === 'review' && t.services.includes(node);

/** A node's state from its latest task (the highest round; a re-review supersedes the correction). */
export function nodeState(tasks: readonly TaskRecord[], node: string): NodeState {
  let latest: TaskRecord | undefined;
  for (const t of tasks)
    if (covers(t, node) && t.status !== 'closed' && (!latest || t.round > latest.round)) latest = t;
  if (!latest) return { state: 'unopened' };
  if (!latest.decision) return { state: 'pending', task: latest };
  return { state: latest.decision.outcome, task: latest };
}

/** "c-….enterprise-establishment-registration" → a stable number: produced data is the same on every retry. */
function digest(seed: string): bigint {
  // FNV-1a, 64 bit: no node:crypto in this module, and enough spread for numbers that only need to be stable.
  let h = 0xcbf29ce484222325n;
  for (const ch of seed) {
    h ^= BigInt(ch.codePointAt(0)!);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 check character of an organisation code's first 8 characters (digits and letters). */
function orgCodeCheck(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = first8[i]!;
    const v = /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * ORG_CODE_WEIGHTS[i]!;
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/**
 * A new enterprise's unified social credit code (GB 32100): 9 (market regulation) 1 (enterprise),
 * the place's administrative division code, a 9-character organisation code (GB 11714 check) and
 * the GB 32100 check character.
 */
export function newUscc(seed: string, divisionCode: string): string {
  let n = digest(seed);
  let org = '';
  for (let i = 0; i < 8; i++) {
    org += USCC_CHARS[Number(n % 31n)]!;
    n /= 31n;
  }
  const first17 = `91${divisionCode}${org}${orgCodeCheck(org)}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

/** A license or certificate number: prefix, division, year, six stable digits. */
export function newSerial(seed: string, prefix: string, divisionCode: string, year: string): string {
  return `${prefix}${divisionCode}${year}${String(digest(seed) % 1_000_000n).padStart(6, '0')}`;
}

/** The data a service's approval produces, as its result declares it (stable for the case). */
export function producedData(
  record: Pick<CaseRecord, 'caseId'>,
  service: Service,
  divisionCode: string,
  decidedAt: Date,
): Record<string, string> {
  const out: Record<string, string> = {};
  const year = String(decidedAt.getUTCFullYear());
  for (const p of service.result.produces ?? []) {
    const seed = `${record.caseId}.${service.id}.${p.fieldId}`;
    out[p.fieldId] =
      p.kind === 'uscc' ? newUscc(seed, divisionCode) : newSerial(seed, p.prefix ?? '', divisionCode, year);
  }
  return out;
}

/** The reviews and inspections holding `token` (the tasks of the wait it answers). */
export const holdingToken = (tasks: readonly TaskRecord[], token: string | undefined): TaskRecord[] =>
  tasks.filter((t) => t.taskToken === token && (t.kind === 'review' || t.kind === 'inspection'));

/**
 * Whether every task of the stage waiting on `token` — its reviews and joint inspection — has its
 * decision (or was closed): the last decision completes the stage. The stage's tasks get the token
 * one after another when some existed already (opened early, or re-opened after an escalation), so
 * a decision may see only some of them holding it: each records the size of the wait that gave it
 * the token (`stageSize`), and the stage is decided only once that many hold it, all decided.
 */
export function stageDecided(tasks: readonly TaskRecord[], token: string): boolean {
  const holding = holdingToken(tasks, token);
  if (holding.length === 0) return false;
  if (!holding.every((t) => t.decision !== undefined || t.status !== 'pending')) return false;
  // A wait that carried on (core/flow/steps.ts answerWait) holds the tasks of every opening it went
  // through — each opening decided before the next — and one opening may mix stage numbers (what
  // became ready together). So `stageSize` is counted within each opening (`wave`): every one must
  // hold the token in full. Tasks without a wave (older, or of a wait that never carried on) are
  // one opening, as before.
  const waves = new Map<string | undefined, TaskRecord[]>();
  for (const t of holding) waves.set(t.wave, [...(waves.get(t.wave) ?? []), t]);
  return [...waves.values()].every((wave) => wave.length >= Math.max(...wave.map((t) => t.stageSize ?? 0)));
}
