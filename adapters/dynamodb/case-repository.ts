/** DynamoDB implementation of the case and task ports (one partition per case). */
import { randomUUID } from 'node:crypto';
import { CASE_STATUSES, type CaseStatus, isFinal } from '#core/case/lifecycle.ts';
import {
  type CaseRecord,
  CaseRecordSchema,
  caseIdOfTask,
  type Decision,
  type TaskRecord,
  TaskRecordSchema,
  type TimelineEntry,
} from '#core/case/model.ts';
import {
  type AuditRecord,
  type CaseRepository,
  type CaseView,
  type LicenseRecord,
  MaterialsUnavailableError,
  type TaskRepository,
  type TransitionEffects,
} from '#core/case/ports.ts';
import { CaseClosedError } from '#core/flow/steps.ts';
import { config } from '../config.ts';
import { cityKeyer } from '../identity/identifier-secret.ts';
import { logger } from '../logger.ts';
import { pauseBeforeRetry } from '../shared/backoff.ts';
import {
  GetCommand,
  MAX_TRANSACTION_ITEMS,
  QueryCommand,
  type TransactItems,
  TransactWriteCommand,
  UpdateCommand,
} from './commands.ts';
import { keys } from './keys.ts';
import { licenseItems } from './license-items.ts';
import { attachToCaseItems } from './material-items.ts';
import { createdOutbox, exactFrom, taskOpenedOutbox, transitionOutbox } from './outbox.ts';
import { applicantKey } from './privacy-store.ts';
import { isConditionFailure, isTransactionConflict, queryPartition, send } from './send.ts';
import { finalCounterItems, submissionCounterItems } from './statistics-store.ts';

const table = () => config().TABLE_NAME;
const seq = () => randomUUID().slice(0, 8);

function eventItem(caseId: string, e: TimelineEntry) {
  return {
    ...keys.event(caseId, e.at, seq()),
    type: 'event',
    at: e.at,
    event: e.event,
    ...(e.detail ? { detail: e.detail } : {}),
  };
}

function auditItem(caseId: string, at: string, a: AuditRecord) {
  return {
    ...keys.audit(caseId, at, seq()),
    type: 'audit',
    at,
    actor: a.actor,
    action: a.action,
    ...(a.detail ? { detail: a.detail } : {}),
  };
}

function caseItem(r: CaseRecord) {
  return {
    ...keys.case(r.caseId),
    type: 'case',
    ...keys.portalCases(r.portalId, r.createdAt, r.caseId),
    ...r,
  };
}

function taskItem(t: TaskRecord) {
  return {
    ...keys.task(t.caseId, t.taskId),
    type: 'task',
    ...keys.inbox(t.departmentId, t.status, t.dueAt, t.taskId),
    ...(t.status === 'pending' ? keys.openTask(t.dueAt, t.taskId) : {}),
    ...t,
  };
}

/** Tasks one stage opens in one transaction (each: task, timeline entry, `task.opened` outbox event). */
const MAX_TASKS_PER_OPEN = 30;

/** The statuses in which a case still takes decisions and supplements (not final). */
const OPEN_STATUSES = CASE_STATUSES.filter((s) => !isFinal(s));

/**
 * Which items of a cancelled transaction failed their condition, by index (DynamoDB reports one
 * reason per item, in order); undefined when the error carries no per-item reasons.
 */
function failedConditions(err: unknown): Set<number> | undefined {
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (!reasons?.length) return undefined;
  return new Set(reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : [])));
}

/** A task of the case that must still be pending (a decision's sibling in its stage). */
const pendingTaskCheck = (task: Pick<TaskRecord, 'caseId' | 'taskId'>) => ({
  ConditionCheck: {
    TableName: table(),
    Key: keys.task(task.caseId, task.taskId),
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pending': 'pending' },
  },
});

/** A transaction item that holds only while the case is not final. */
function openCaseCheck(caseId: string) {
  return {
    ConditionCheck: {
      TableName: table(),
      Key: keys.case(caseId),
      ConditionExpression: `#status IN (${OPEN_STATUSES.map((_, i) => `:open${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: Object.fromEntries(OPEN_STATUSES.map((s, i) => [`:open${i}`, s])),
    },
  };
}

/**
 * The Update that settles a pending task (leaves the open-task index; conditional on pending, and
 * on the department and kind when `guard`: a decision addressed by id alone). Exported for the
 * bench, which writes decisions straight to the table: one UpdateExpression.
 */
export function settleTaskItem(
  task: Pick<TaskRecord, 'taskId' | 'caseId' | 'departmentId' | 'kind'>,
  status: TaskRecord['status'],
  decision?: Decision,
  guard = false,
) {
  return {
    Update: {
      TableName: table(),
      Key: keys.task(task.caseId, task.taskId),
      UpdateExpression: `SET #status = :status, gsi1pk = :gsi1pk${decision ? ', decision = :decision' : ''} REMOVE gsi2pk, gsi2sk`,
      ConditionExpression: `#status = :pending${guard ? ' AND departmentId = :dept AND #kind = :kind' : ''}`,
      ExpressionAttributeNames: { '#status': 'status', ...(guard ? { '#kind': 'kind' } : {}) },
      ExpressionAttributeValues: {
        ':status': status,
        ':pending': 'pending',
        // The inbox's partition by status (keys.inbox; its sort key, the due date, stays).
        ':gsi1pk': keys.inboxPk(task.departmentId, status),
        ...(decision ? { ':decision': decision } : {}),
        ...(guard ? { ':dept': task.departmentId, ':kind': task.kind } : {}),
      },
    },
  };
}

/** Retries a transaction that lost a race to another transaction (not a condition failure). */
async function transact(items: TransactItems) {
  if (items.length > MAX_TRANSACTION_ITEMS)
    throw new RangeError(`A transaction holds at most ${MAX_TRANSACTION_ITEMS} items, not ${items.length}.`);
  for (let attempt = 0; ; attempt++) {
    try {
      await send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (err) {
      if (!isTransactionConflict(err) || attempt >= 8) throw err;
      await pauseBeforeRetry(attempt + 1);
    }
  }
}

/** A portal's Idempotency-Key as stored: keyed under the city's secret, never the key itself. */
async function keyedIdempotencyKey(portalId: string, key: string): Promise<string> {
  return (await cityKeyer())('idempotencyKey', `${portalId}\n${key}`);
}

/** The portal's index entry of the case under its applicant (keys.ts: APPLICANT#). */
async function applicantCaseItem(record: CaseRecord): Promise<Record<string, unknown>> {
  const a = record.applicant;
  const key = await applicantKey(
    a.kind === 'person' ? { kind: 'person', idNumber: a.idNumber } : { kind: 'organisation', uscc: a.uscc },
  );
  return {
    ...keys.applicantCase(record.portalId, key, record.createdAt, record.caseId),
    type: 'applicantCase',
    caseId: record.caseId,
    bundleId: record.bundleId,
    createdAt: record.createdAt,
  };
}

export const caseRepository: CaseRepository = {
  async create(record, timeline, audit, materials = [], idempotencyKey) {
    // One per material (attachToCaseItems): the i-th refused update names the i-th of these.
    const attached = [...new Map(materials.map((m) => [m.materialId, m])).values()];
    const ids = attached.map((m) => m.materialId);
    const fixed: TransactItems = [
      {
        Put: {
          TableName: table(),
          Item: caseItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // The key's record: at most one case per portal and key, whatever the (random) case id.
      ...(idempotencyKey
        ? [
            {
              Put: {
                TableName: table(),
                Item: {
                  ...keys.idempotency(await keyedIdempotencyKey(record.portalId, idempotencyKey)),
                  type: 'idempotency',
                  caseId: record.caseId,
                  createdAt: record.createdAt,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
      { Put: { TableName: table(), Item: eventItem(record.caseId, timeline) } },
      { Put: { TableName: table(), Item: auditItem(record.caseId, timeline.at, audit) } },
      // Webhooks: the status-change event commits with the case, or not at all.
      createdOutbox(record.caseId, record.status, timeline.at, record.portalId),
      // GET /v1/cases: the applicant's index entry exists exactly when the case does.
      { Put: { TableName: table(), Item: await applicantCaseItem(record) } },
      // GET /v1/statistics: the submission is counted iff the case exists (statistics-store.ts).
      ...submissionCounterItems(record),
    ];
    try {
      // The materials are attached in the same transaction: no case without its materials, and
      // no material in two cases (a material already another case's cancels the whole write).
      await transact([...fixed, ...attachToCaseItems(attached, record.caseId, new Date(timeline.at))]);
      // Ids and the verdict only (material-store.ts recordVerdict): recorded with the case.
      for (const m of attached)
        if (m.verdict) logger.info('material judged', { materialId: m.materialId, status: m.verdict.status });
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const failed = failedConditions(err);
      if (failed === undefined) {
        // No per-item reasons: tell the causes apart by reading the case and the key's record.
        if (await this.get(record.caseId)) return false;
        if (idempotencyKey && (await this.caseIdForIdempotencyKey(record.portalId, idempotencyKey)))
          return false;
        throw new MaterialsUnavailableError(ids, { cause: err });
      }
      // The case id or the Idempotency-Key exists: a concurrent duplicate won.
      if (failed.has(0) || (idempotencyKey && failed.has(1))) return false;
      throw new MaterialsUnavailableError(
        ids.filter((_, i) => failed.has(fixed.length + i)),
        { cause: err },
      );
    }
  },

  async caseIdForIdempotencyKey(portalId, idempotencyKey) {
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({
        TableName: table(),
        Key: keys.idempotency(await keyedIdempotencyKey(portalId, idempotencyKey)),
        ConsistentRead: true,
      }),
    );
    return typeof r.Item?.caseId === 'string' ? r.Item.caseId : undefined;
  },

  async get(caseId) {
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table(), Key: keys.case(caseId), ConsistentRead: true }),
    );
    return r.Item ? CaseRecordSchema.parse(r.Item) : undefined;
  },

  async view(caseId): Promise<CaseView | undefined> {
    const items = await queryPartition(keys.casePk(caseId), { consistent: true });
    const c = items.find((i) => i.sk === 'CASE');
    if (!c) return undefined;
    return {
      record: CaseRecordSchema.parse(c),
      tasks: items.filter((i) => i.type === 'task').map((i) => TaskRecordSchema.parse(i)),
      timeline: items
        .filter((i) => i.type === 'event')
        .map((i) => ({
          at: i.at as string,
          event: i.event as string,
          ...(i.detail ? { detail: i.detail as Record<string, unknown> } : {}),
        })),
      licenses: items.filter((i) => i.type === 'license') as unknown as LicenseRecord[],
    };
  },

  async transition(
    caseId,
    anyOf: readonly CaseStatus[],
    changes,
    timeline,
    audit,
    effects?: TransitionEffects,
  ) {
    // The outbox event names the exact previous status (one read only when `anyOf` has several).
    const from = await exactFrom(caseId, anyOf, changes.status);
    if (!from) return false;
    // GET /v1/statistics: a case becoming final is counted in this very transaction, from the
    // record it was read as (the write is conditional on that version; statistics-store.ts).
    const counted = await finalCounterItems(caseId, from, changes, timeline.at, effects?.readAs);
    const names: Record<string, string> = {
      '#status': 'status',
      '#version': 'version',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, unknown> = { ':one': 1, ':now': timeline.at };
    const sets = ['#version = #version + :one', '#updatedAt = :now'];
    const removes: string[] = [];
    for (const [k, v] of Object.entries(changes)) {
      if (k === 'version' || k === 'updatedAt' || k === 'caseId') continue;
      names[`#${k}`] = k;
      if (v === undefined) removes.push(`#${k}`);
      else {
        values[`:${k}`] = v;
        sets.push(`#${k} = :${k}`);
      }
    }
    from.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    if (counted) values[':countedVersion'] = counted.version;
    const own: TransactItems = [
      {
        Update: {
          TableName: table(),
          Key: keys.case(caseId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})${counted ? ' AND #version = :countedVersion' : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      // Steps recorded by this write before its own (their changes are in this one's): their
      // entries first, so the timeline keeps their order.
      ...(effects?.stepsBefore ?? []).flatMap((step) => [
        { Put: { TableName: table(), Item: eventItem(caseId, step.timeline) } },
        { Put: { TableName: table(), Item: auditItem(caseId, step.timeline.at, step.audit) } },
      ]),
      { Put: { TableName: table(), Item: eventItem(caseId, timeline) } },
      { Put: { TableName: table(), Item: auditItem(caseId, timeline.at, audit) } },
      // Webhooks: one outbox event iff the status changes, in the same transaction.
      ...transitionOutbox(caseId, from, changes.status, timeline.at, effects?.readAs),
      // Tasks settled by this change (a withdrawal closes them, a supplement completes its task).
      ...(effects?.settleTasks ?? []).map((t) => settleTaskItem(t.task, t.status, t.decision)),
      ...(counted?.items ?? []),
      // The next stage's tasks, opened by this very write: the case's own condition stands for
      // openAll's check that the case is open (one item, one operation per transaction).
      ...(effects?.openTasks ?? []).flatMap(({ task, timeline: opened }) => openTaskItems(task, opened)),
      // The decision this step completes, written with it (as `decide` writes it, less its check
      // that the case is open: the case's own condition above is that check).
      ...(effects?.decide
        ? [
            settleTaskItem(effects.decide.ref, effects.decide.status, effects.decide.decision, true),
            { Put: { TableName: table(), Item: eventItem(caseId, effects.decide.timeline) } },
            {
              Put: {
                TableName: table(),
                Item: auditItem(caseId, effects.decide.timeline.at, effects.decide.audit),
              },
            },
          ]
        : []),
      // The licenses the delivery ends the case with, recorded by the same write (one per service).
      ...(effects?.recordLicenses ?? []).flatMap(licenseItems),
    ];
    const ids = [...new Set(effects?.attachMaterials ?? [])];
    try {
      await transact([
        ...own,
        ...attachToCaseItems(
          ids.map((materialId) => ({ materialId })),
          caseId,
          new Date(timeline.at),
        ),
      ]);
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Counted from a version another write has replaced meanwhile (same status): count again.
      if (counted && (await this.get(caseId))?.version !== counted.version) {
        const { readAs: _stale, ...rest } = effects ?? {};
        return this.transition(caseId, anyOf, changes, timeline, audit, rest);
      }
      const failed = failedConditions(err);
      // Only materials refused (the case and its tasks are as expected): say which.
      if (ids.length && failed?.size && [...failed].every((i) => i >= own.length))
        throw new MaterialsUnavailableError(
          ids.filter((_, i) => failed.has(own.length + i)),
          { cause: err },
        );
      if (ids.length && failed === undefined) {
        const current = await this.get(caseId);
        if (current && from.includes(current.status))
          throw new MaterialsUnavailableError(ids, { cause: err });
      }
      return false;
    }
  },

  async note(caseId, timeline, audit) {
    await transact([
      { Put: { TableName: table(), Item: eventItem(caseId, timeline) } },
      { Put: { TableName: table(), Item: auditItem(caseId, timeline.at, audit) } },
    ]);
  },
};

/** A new task (none may exist with its id), its timeline entry and its `task.opened` outbox event. */
const openTaskItems = (task: TaskRecord, timeline: TimelineEntry): TransactItems => [
  { Put: { TableName: table(), Item: taskItem(task), ConditionExpression: 'attribute_not_exists(pk)' } },
  { Put: { TableName: table(), Item: eventItem(task.caseId, timeline) } },
  ...taskOpenedOutbox(task, timeline.at),
];

/** Marks a pending task overdue with its timeline entry and supervision audit; false if the condition failed. */
async function overdueWrite(
  taskId: string,
  timeline: TimelineEntry,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  const caseId = caseIdOfTask(taskId)!;
  try {
    await transact([
      {
        Update: {
          TableName: table(),
          Key: keys.task(caseId, taskId),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':true': true, ':pending': 'pending', ...values },
        },
      },
      { Put: { TableName: table(), Item: eventItem(caseId, timeline) } },
      {
        Put: {
          TableName: table(),
          Item: auditItem(caseId, timeline.at, {
            actor: 'supervision',
            action: timeline.event,
            detail: timeline.detail ?? {},
          }),
        },
      },
    ]);
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false; // decided (or already flagged) meanwhile
    throw err;
  }
}

export const taskRepository: TaskRepository = {
  async open(task, timeline) {
    // Written first, read only if it was there: a task is nearly always new (one call).
    try {
      await transact([
        {
          Put: { TableName: table(), Item: taskItem(task), ConditionExpression: 'attribute_not_exists(pk)' },
        },
        { Put: { TableName: table(), Item: eventItem(task.caseId, timeline) } },
        // No new task on a case that has ended (a withdrawal committed while the flow was on its
        // way here): its inbox would hold work nobody can finish.
        openCaseCheck(task.caseId),
        // Department webhooks: `task.opened` commits with the task, or not at all (kept last: the
        // indexes above are read from failed conditions).
        ...taskOpenedOutbox(task, timeline.at),
      ]);
      return task;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const failed = failedConditions(err);
      const existing = failed && !failed.has(0) ? undefined : await this.get(task.taskId);
      if (!existing)
        throw new CaseClosedError(`case ${task.caseId} has ended; task ${task.taskId} is not opened`);
      // Opened early (on a prerequisite's approval) and now again without a token: nothing to store.
      if (task.taskToken === undefined) return existing;
      // Re-opened (e.g. after a timeout), or opened early and now reached by the state machine: a
      // new token (and the size of the stage's wait that gives it, and whether that wait carries
      // on), the same task and decision.
      const sets = [
        'taskToken = :token',
        ...(task.stageSize ? ['stageSize = :size'] : []),
        ...(task.wave ? ['wave = :wave'] : []),
        ...(task.carryOn ? ['carryOn = :carryOn'] : []),
      ];
      const r = await send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: table(),
          Key: keys.task(task.caseId, task.taskId),
          UpdateExpression: `SET ${sets.join(', ')}${task.carryOn ? '' : ' REMOVE carryOn'}`,
          ExpressionAttributeValues: {
            ':token': task.taskToken,
            ...(task.stageSize ? { ':size': task.stageSize } : {}),
            ...(task.wave ? { ':wave': task.wave } : {}),
            ...(task.carryOn ? { ':carryOn': true } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return TaskRecordSchema.parse(r.Attributes);
    }
  },

  async openAll(entries) {
    // One write for a stage whose tasks are all new (the common case); if any exists already
    // (opened early, or re-opened after an escalation), each is opened on its own.
    const caseIds = new Set(entries.map((e) => e.task.caseId));
    if (entries.length > 1 && entries.length <= MAX_TASKS_PER_OPEN && caseIds.size === 1) {
      try {
        await transact([
          ...entries.flatMap(({ task, timeline }) => openTaskItems(task, timeline)),
          openCaseCheck(entries[0]!.task.caseId),
        ]);
        return entries.map((e) => e.task);
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    const out: TaskRecord[] = [];
    for (const { task, timeline } of entries) out.push(await this.open(task, timeline));
    return out;
  },

  async get(taskId) {
    const caseId = caseIdOfTask(taskId);
    if (!caseId) return undefined;
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table(), Key: keys.task(caseId, taskId), ConsistentRead: true }),
    );
    return r.Item ? TaskRecordSchema.parse(r.Item) : undefined;
  },

  async decide(ref, decision: Decision, status, timeline, audit, stillPending = []) {
    // No read first: the conditions are the check — the task must exist as this department's task
    // of that kind and still be pending, and its case still open: a decision can never land after
    // a withdrawal (or any end of the case) has committed, whichever order the two requests ran.
    const { taskId, caseId } = ref;
    const own = [
      settleTaskItem(ref, status, decision, true),
      { Put: { TableName: table(), Item: eventItem(caseId, timeline) } },
      { Put: { TableName: table(), Item: auditItem(caseId, timeline.at, audit) } },
      openCaseCheck(caseId),
    ];
    try {
      await transact([...own, ...stillPending.map(pendingTaskCheck)]);
      return { recorded: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const failed = failedConditions(err);
      // Only a sibling refused (this task and its case as expected): no read, the caller reads.
      if (failed?.size && [...failed].every((i) => i >= own.length))
        return { recorded: false, task: undefined, siblingDecided: true };
      const stored = await this.get(taskId);
      const mine = stored?.departmentId === ref.departmentId && stored.kind === ref.kind;
      const caseClosed = mine && stored.status === 'pending' && (failed ? failed.has(3) : true);
      // The reason unknown (no per-item reasons) and this task still pending: a sibling, maybe.
      const sibling = stillPending.length > 0 && mine && stored.status === 'pending' && failed === undefined;
      return {
        recorded: false,
        task: stored,
        ...(caseClosed ? { caseClosed: true } : {}),
        ...(sibling ? { siblingDecided: true } : {}),
      };
    }
  },

  async markOverdue(taskId, timeline) {
    // After a callback timeout: counts every escalation.
    await overdueWrite(
      taskId,
      timeline,
      'SET overdue = :true, escalations = if_not_exists(escalations, :zero) + :one',
      '#status = :pending',
      { ':zero': 0, ':one': 1 },
    );
  },

  async closeOpen(caseId, timeline) {
    const open = (await this.listForCase(caseId)).filter((t) => t.status === 'pending');
    for (const t of open) {
      try {
        await send(new UpdateCommand(settleTaskItem(t, 'closed').Update));
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // decided meanwhile
      }
    }
    if (open.length)
      await caseRepository.note(caseId, timeline, {
        actor: 'flow',
        action: timeline.event,
        detail: { tasks: open.length },
      });
    return open.length;
  },

  async flagOverdue(taskId, timeline) {
    // The scheduled sweep: once per task.
    return overdueWrite(
      taskId,
      timeline,
      'SET overdue = :true',
      '#status = :pending AND (attribute_not_exists(overdue) OR overdue = :false)',
      { ':false': false },
    );
  },

  async listForCase(caseId) {
    const r = await send<{ Items?: Record<string, unknown>[] }>(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
        ExpressionAttributeValues: { ':pk': keys.casePk(caseId), ':task': 'TASK#' },
        ConsistentRead: true,
      }),
    );
    return (r.Items ?? []).map((i) => TaskRecordSchema.parse(i));
  },
};
