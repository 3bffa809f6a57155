/**
 * Webhook events: what the transactional outbox records, and the thin event a subscriber
 * receives for it. One discriminated union (on `eventType`) of
 *  - case events (`case.status_changed`) — for the portal that submitted the case, and
 *  - task events (`task.opened`, `task.due_soon`, `task.overdue`) — for the department holding the
 *    task.
 * Each goes to its own kind of subscriber only (`audienceOf`): a portal never receives a task
 * event, a department never a case event.
 * Thin on purpose (Notificaties / GOV.UK Pay style): ids, statuses, a time and a link — never
 * personal data; the receiver fetches the case or task with its own credential if it needs more.
 */
import * as z from 'zod/mini';
import { CASE_STATUSES } from '../case/lifecycle.ts';
import { TASK_KINDS } from '../case/model.ts';
import { lazily } from '../shared/lazily.ts';

export const CASE_STATUS_CHANGED = 'case.status_changed';
export const TASK_OPENED = 'task.opened';
export const TASK_DUE_SOON = 'task.due_soon';
export const TASK_OVERDUE = 'task.overdue';

/** The events a department may subscribe to (all of them unless it chooses). */
export const TASK_EVENT_TYPES = [TASK_OPENED, TASK_DUE_SOON, TASK_OVERDUE] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

/**
 * The schemas of outbox events, built at their first use rather than at import (issue #14, init
 * time): some 30 functions import this module to write events (its names and types), and only the
 * stream's consumer parses with them (adapters/dynamodb/outbox.ts outboxEventFromImage); their ~47
 * zod instances were built at every one of those functions' init.
 */
function buildSchemas() {
  /** One committed case status change, as the outbox item holds it (flat string attributes). */
  const CaseOutboxEventSchema = z.object({
    eventId: z.string().check(z.minLength(1), z.maxLength(100)),
    eventType: z.literal(CASE_STATUS_CHANGED),
    caseId: z.string().check(z.minLength(1), z.maxLength(100)),
    status: z.enum(CASE_STATUSES),
    previousStatus: z.optional(z.enum(CASE_STATUSES)),
    occurredAt: z.string().check(z.minLength(1)),
    /**
     * The portal that owns the case, as the writer knew it (the case's own transaction): fan-out
     * then needs no read of the case. Absent on events written before it was recorded, and never
     * part of the thin event.
     */
    portalId: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  });

  /** One task event: opened (with the task), due within a working day, or past its deadline (the sweep). */
  const TaskOutboxEventSchema = z.object({
    eventId: z.string().check(z.minLength(1), z.maxLength(100)),
    eventType: z.enum(TASK_EVENT_TYPES),
    caseId: z.string().check(z.minLength(1), z.maxLength(100)),
    taskId: z.string().check(z.minLength(1), z.maxLength(300)),
    /** The task's kind (acceptance, review, inspection). */
    kind: z.enum(TASK_KINDS),
    departmentId: z.string().check(z.minLength(1), z.maxLength(100)),
    dueAt: z.string().check(z.minLength(1)),
    occurredAt: z.string().check(z.minLength(1)),
  });

  const OutboxEventSchema = z.discriminatedUnion('eventType', [CaseOutboxEventSchema, TaskOutboxEventSchema]);
  return { CaseOutboxEventSchema, TaskOutboxEventSchema, OutboxEventSchema };
}
type Schemas = ReturnType<typeof buildSchemas>;
const schemas = lazily(buildSchemas);

/** An outbox event, either kind, as the outbox item holds it. */
export const outboxEventSchema = (): Schemas['OutboxEventSchema'] => schemas().OutboxEventSchema;
/** One committed case status change, as the outbox item holds it (flat string attributes). */
export type CaseOutboxEvent = z.infer<Schemas['CaseOutboxEventSchema']>;
/** One task event: opened (with the task), due within a working day, or past its deadline (the sweep). */
export type TaskOutboxEvent = z.infer<Schemas['TaskOutboxEventSchema']>;
export type OutboxEvent = z.infer<Schemas['OutboxEventSchema']>;

export function isTaskEvent(event: OutboxEvent): event is TaskOutboxEvent {
  return (TASK_EVENT_TYPES as readonly string[]).includes(event.eventType);
}

/** Who receives an event: the case's portal, or the department that holds the task. */
export type Audience =
  | { readonly kind: 'portal'; readonly caseId: string; readonly portalId?: string | undefined }
  | { readonly kind: 'department'; readonly departmentId: string; readonly eventType: TaskEventType };

export function audienceOf(event: OutboxEvent): Audience {
  return isTaskEvent(event)
    ? { kind: 'department', departmentId: event.departmentId, eventType: event.eventType }
    : { kind: 'portal', caseId: event.caseId, ...(event.portalId ? { portalId: event.portalId } : {}) };
}

/** The body POSTed to a portal's webhook. */
export interface CaseThinEvent {
  readonly id: string;
  readonly type: typeof CASE_STATUS_CHANGED;
  readonly caseId: string;
  readonly status: string;
  readonly previousStatus?: string;
  readonly occurredAt: string;
  readonly links: { readonly case: string };
}

/** The body POSTed to a department's webhook. */
export interface TaskThinEvent {
  readonly id: string;
  readonly type: TaskEventType;
  readonly taskId: string;
  readonly kind: string;
  readonly caseId: string;
  readonly departmentId: string;
  readonly dueAt: string;
  readonly occurredAt: string;
  readonly links: { readonly task: string };
}

export type ThinEvent = CaseThinEvent | TaskThinEvent;

const base = (url: string) => url.replace(/\/+$/, '');

export function thinEvent(event: CaseOutboxEvent, baseUrl: string): CaseThinEvent;
export function thinEvent(event: TaskOutboxEvent, baseUrl: string): TaskThinEvent;
export function thinEvent(event: OutboxEvent, baseUrl: string): ThinEvent;
export function thinEvent(event: OutboxEvent, baseUrl: string): ThinEvent {
  if (isTaskEvent(event))
    return {
      id: event.eventId,
      type: event.eventType,
      taskId: event.taskId,
      kind: event.kind,
      caseId: event.caseId,
      departmentId: event.departmentId,
      dueAt: event.dueAt,
      occurredAt: event.occurredAt,
      links: { task: `${base(baseUrl)}/v1/tasks/${encodeURIComponent(event.taskId)}` },
    };
  return {
    id: event.eventId,
    type: event.eventType,
    caseId: event.caseId,
    status: event.status,
    ...(event.previousStatus ? { previousStatus: event.previousStatus } : {}),
    occurredAt: event.occurredAt,
    links: { case: `${base(baseUrl)}/v1/cases/${encodeURIComponent(event.caseId)}` },
  };
}
