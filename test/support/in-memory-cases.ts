/**
 * In-memory fakes of the case ports (CaseRepository, TaskRepository, MaterialLookup, Workflow) for
 * unit tests of the core's use cases: no emulators. They keep the adapter's contract — every
 * condition the DynamoDB repository checks in its transaction is checked here, all or nothing —
 * so a use case sees the same answers (false on a failed condition, MaterialsUnavailableError
 * when only an attachment failed, `caseClosed` on a decision after the case ended).
 *
 * `beforeWrite` hooks run once each, just before the next conditional write: a test plants the
 * concurrent change it wants the use case to race with.
 */
import type { MaterialFacts } from '#core/case/application.ts';
import { type CaseStatus, isFinal } from '#core/case/lifecycle.ts';
import type { CaseRecord, Decision, TaskRecord, TimelineEntry } from '#core/case/model.ts';
import {
  type AuditRecord,
  type CaseRepository,
  type MaterialLookup,
  MaterialsUnavailableError,
  type TaskRepository,
  type TransitionEffects,
  type Workflow,
} from '#core/case/ports.ts';

export interface StoredMaterial extends MaterialFacts {
  readonly portalId: string;
  /** Epoch ms after which it cannot be attached (a never-used material's TTL). */
  readonly expiresAt?: number;
}

export interface InMemoryCases {
  readonly cases: CaseRepository;
  readonly tasks: TaskRepository;
  readonly materials: MaterialLookup;
  readonly workflow: Workflow & {
    readonly started: { name: string; input: unknown }[];
    readonly succeeded: { taskToken: string; output: unknown }[];
    readonly stopped: { name: string; cause: string }[];
    /** Tokens that answer 'stale' (their wait timed out). */
    readonly staleTokens: Set<string>;
  };
  readonly store: {
    readonly cases: Map<string, CaseRecord>;
    readonly tasks: Map<string, TaskRecord>;
    readonly timeline: Map<string, TimelineEntry[]>;
    readonly audit: { caseId: string; record: AuditRecord }[];
    readonly materials: Map<string, StoredMaterial>;
  };
  /** Each runs once, before the next conditional write (a concurrent change to race with). */
  readonly beforeWrite: (() => void)[];
  /** Conditional writes attempted (committed or not), by kind. */
  readonly writes: { kind: 'create' | 'transition' | 'decide'; committed: boolean }[];
}

const clone = <T>(v: T): T => structuredClone(v);

export function inMemoryCases(): InMemoryCases {
  const cases = new Map<string, CaseRecord>();
  /** portal \n Idempotency-Key → case id */
  const idempotency = new Map<string, string>();
  const tasks = new Map<string, TaskRecord>();
  const timeline = new Map<string, TimelineEntry[]>();
  const audit: { caseId: string; record: AuditRecord }[] = [];
  const materials = new Map<string, StoredMaterial>();
  const beforeWrite: (() => void)[] = [];
  const writes: InMemoryCases['writes'] = [];

  const race = () => beforeWrite.shift()?.();
  const log = (caseId: string, e: TimelineEntry, a?: AuditRecord) => {
    timeline.set(caseId, [...(timeline.get(caseId) ?? []), clone(e)]);
    if (a) audit.push({ caseId, record: clone(a) });
  };
  /** The ids among `ids` that cannot be attached to `caseId` at `at` (the adapter's conditions). */
  const unattachable = (ids: readonly string[], caseId: string, at: string) =>
    [...new Set(ids)].filter((id) => {
      const m = materials.get(id);
      return (
        m?.state !== 'verified' ||
        (m.caseId !== undefined && m.caseId !== caseId) ||
        (m.expiresAt !== undefined && m.expiresAt <= Date.parse(at))
      );
    });
  const attach = (ids: readonly string[], caseId: string) => {
    for (const id of new Set(ids)) {
      const { expiresAt: _gone, ...m } = materials.get(id)!;
      materials.set(id, { ...m, caseId });
    }
  };
  const settle = (task: TaskRecord, status: TaskRecord['status'], decision?: Decision) => {
    const current = tasks.get(task.taskId)!;
    tasks.set(task.taskId, { ...current, status, ...(decision ? { decision: clone(decision) } : {}) });
  };

  const caseRepo: CaseRepository = {
    async create(record, entry, a, attached = [], idempotencyKey) {
      const materialIds = attached.map((m) => m.materialId);
      race();
      const keyOf = idempotencyKey && `${record.portalId}\n${idempotencyKey}`;
      if (cases.has(record.caseId) || (keyOf && idempotency.has(keyOf))) {
        writes.push({ kind: 'create', committed: false });
        return false;
      }
      const refused = unattachable(materialIds, record.caseId, entry.at);
      if (refused.length) {
        writes.push({ kind: 'create', committed: false });
        throw new MaterialsUnavailableError(refused);
      }
      cases.set(record.caseId, clone(record));
      if (keyOf) idempotency.set(keyOf, record.caseId);
      attach(materialIds, record.caseId);
      log(record.caseId, entry, a);
      writes.push({ kind: 'create', committed: true });
      return true;
    },
    async get(caseId) {
      const r = cases.get(caseId);
      return r && clone(r);
    },
    async caseIdForIdempotencyKey(portalId, idempotencyKey) {
      return idempotency.get(`${portalId}\n${idempotencyKey}`);
    },
    async view(caseId) {
      const record = cases.get(caseId);
      if (!record) return undefined;
      return {
        record: clone(record),
        tasks: [...tasks.values()].filter((t) => t.caseId === caseId).map(clone),
        timeline: clone(timeline.get(caseId) ?? []),
        licenses: [],
      };
    },
    async transition(caseId, from, changes, entry, a, effects?: TransitionEffects) {
      race();
      const record = cases.get(caseId);
      const settled = effects?.settleTasks ?? [];
      const conditionsHold =
        record !== undefined &&
        from.includes(record.status) &&
        settled.every((s) => tasks.get(s.task.taskId)?.status === 'pending') &&
        (effects?.openTasks ?? []).every((o) => !tasks.has(o.task.taskId)) &&
        (effects?.decide === undefined ||
          ((t) =>
            t?.status === 'pending' &&
            t.departmentId === effects.decide.ref.departmentId &&
            t.kind === effects.decide.ref.kind)(tasks.get(effects.decide.ref.taskId)));
      const refused = record ? unattachable(effects?.attachMaterials ?? [], caseId, entry.at) : [];
      if (!conditionsHold) {
        writes.push({ kind: 'transition', committed: false });
        return false;
      }
      if (refused.length) {
        writes.push({ kind: 'transition', committed: false });
        throw new MaterialsUnavailableError(refused);
      }
      const next: CaseRecord = { ...record, updatedAt: entry.at, version: record.version + 1 };
      for (const [k, v] of Object.entries(changes)) {
        if (k === 'version' || k === 'updatedAt' || k === 'caseId') continue;
        if (v === undefined) delete (next as Record<string, unknown>)[k];
        else (next as Record<string, unknown>)[k] = clone(v);
      }
      cases.set(caseId, next);
      for (const s of settled) settle(s.task, s.status, s.decision);
      attach(effects?.attachMaterials ?? [], caseId);
      for (const step of effects?.stepsBefore ?? []) log(caseId, step.timeline, step.audit);
      log(caseId, entry, a);
      if (effects?.decide) {
        const d = effects.decide;
        settle(tasks.get(d.ref.taskId)!, d.status, d.decision);
        log(caseId, d.timeline, d.audit);
      }
      for (const o of effects?.openTasks ?? []) {
        tasks.set(o.task.taskId, clone(o.task));
        log(caseId, o.timeline);
      }
      writes.push({ kind: 'transition', committed: true });
      return true;
    },
    async note(caseId, entry, a) {
      log(caseId, entry, a);
    },
  };

  const caseOpen = (caseId: string) => {
    const status: CaseStatus | undefined = cases.get(caseId)?.status;
    return status !== undefined && !isFinal(status);
  };

  const taskRepo: TaskRepository = {
    async open(task, entry) {
      const existing = tasks.get(task.taskId);
      if (existing) {
        if (!task.taskToken) return clone(existing);
        const { carryOn: _held, ...rest } = existing;
        const refreshed = {
          ...rest,
          taskToken: task.taskToken,
          ...(task.stageSize ? { stageSize: task.stageSize } : {}),
          ...(task.wave ? { wave: task.wave } : {}),
          ...(task.carryOn ? { carryOn: task.carryOn } : {}),
        };
        tasks.set(task.taskId, refreshed);
        return clone(refreshed);
      }
      tasks.set(task.taskId, clone(task));
      log(task.caseId, entry);
      return clone(task);
    },
    async get(taskId) {
      const t = tasks.get(taskId);
      return t && clone(t);
    },
    async decide(ref, decision, status, entry, a, stillPending = []) {
      race();
      // As the table's conditions: this department's task of that kind, pending, its case open,
      // and the siblings named still pending.
      const stored = tasks.get(ref.taskId);
      const mine = stored?.departmentId === ref.departmentId && stored.kind === ref.kind;
      const pending = mine && stored.status === 'pending';
      const open = caseOpen(ref.caseId);
      const siblingsPending = stillPending.every((t) => tasks.get(t.taskId)?.status === 'pending');
      if (stored && pending && open && !siblingsPending) {
        writes.push({ kind: 'decide', committed: false });
        return { recorded: false as const, task: undefined, siblingDecided: true };
      }
      if (!stored || !pending || !open) {
        writes.push({ kind: 'decide', committed: false });
        return {
          recorded: false as const,
          task: stored && clone(stored),
          ...(pending && !open ? { caseClosed: true } : {}),
        };
      }
      settle(stored, status, decision);
      log(ref.caseId, entry, a);
      writes.push({ kind: 'decide', committed: true });
      return { recorded: true as const };
    },
    async listForCase(caseId) {
      return [...tasks.values()].filter((t) => t.caseId === caseId).map(clone);
    },
    async markOverdue(taskId, entry) {
      const t = tasks.get(taskId);
      if (t?.status !== 'pending') return;
      tasks.set(taskId, { ...t, overdue: true, escalations: t.escalations + 1 });
      log(t.caseId, entry);
    },
    async closeOpen(caseId, entry) {
      const open = [...tasks.values()].filter((t) => t.caseId === caseId && t.status === 'pending');
      for (const t of open) settle(t, 'closed');
      if (open.length)
        log(caseId, entry, { actor: 'flow', action: entry.event, detail: { tasks: open.length } });
      return open.length;
    },
    async flagOverdue(taskId, entry) {
      const t = tasks.get(taskId);
      if (t?.status !== 'pending' || t.overdue) return false;
      tasks.set(taskId, { ...t, overdue: true });
      log(t.caseId, entry);
      return true;
    },
  };

  const materialLookup: MaterialLookup = {
    async facts(portalId, ids) {
      const out = new Map<string, MaterialFacts>();
      for (const id of ids) {
        const m = materials.get(id);
        if (!m || m.portalId !== portalId) continue;
        const { portalId: _p, expiresAt: _e, ...facts } = m;
        out.set(id, facts);
      }
      return out;
    },
  };

  const started: { name: string; input: unknown }[] = [];
  const succeeded: { taskToken: string; output: unknown }[] = [];
  const stopped: { name: string; cause: string }[] = [];
  const staleTokens = new Set<string>();
  const workflow = {
    started,
    succeeded,
    stopped,
    staleTokens,
    async start(name: string, input: unknown) {
      started.push({ name, input: clone(input) });
      return `arn:aws:states:local:000000000000:execution:flow:${name}`;
    },
    async succeed(taskToken: string, output: unknown) {
      succeeded.push({ taskToken, output: clone(output) });
      return staleTokens.has(taskToken) ? ('stale' as const) : ('delivered' as const);
    },
    async stop(name: string, cause: string) {
      stopped.push({ name, cause });
    },
  };

  return {
    cases: caseRepo,
    tasks: taskRepo,
    materials: materialLookup,
    workflow,
    store: { cases, tasks, timeline, audit, materials },
    beforeWrite,
    writes,
  };
}

/** A case as the flow leaves it, for unit tests: submitted by portal `p-1`, two services. */
export function caseRecord(overrides: Partial<CaseRecord> = {}): CaseRecord {
  return {
    caseId: 'c-aaaaaaaaaaaaaaaaaaaaaaaa',
    portalId: 'p-1',
    bundleId: 'b',
    services: ['s0', 's1'],
    catalogVersion: 't',
    status: 'submitted',
    applicant: { kind: 'person', name: '张三', idNumber: '110101199003077777', phone: '13800000000' },
    form: { name: '张三' },
    materials: [],
    delivery: { method: 'electronic' },
    commitments: [],
    requestHash: 'h',
    createdAt: '2026-11-02T01:00:00.000Z',
    updatedAt: '2026-11-02T01:00:00.000Z',
    dueAt: '2026-11-30T01:00:00.000Z',
    correctionRound: 0,
    executionArn: 'arn:aws:states:local:000000000000:execution:flow:c-aaaaaaaaaaaaaaaaaaaaaaaa',
    version: 1,
    ...overrides,
  };
}

/** A pending task of `caseRecord()`'s case. */
export function taskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: 'c-aaaaaaaaaaaaaaaaaaaaaaaa.r0.acceptance',
    caseId: 'c-aaaaaaaaaaaaaaaaaaaaaaaa',
    kind: 'acceptance',
    departmentId: 'd',
    services: ['s0', 's1'],
    round: 0,
    status: 'pending',
    createdAt: '2026-11-02T01:00:00.000Z',
    dueAt: '2026-11-05T01:00:00.000Z',
    overdue: false,
    escalations: 0,
    taskToken: 'token-acceptance',
    ...overrides,
  };
}
