/**
 * Webhook events: what the transactional outbox records for each committed case status change,
 * and the thin event a portal receives for it. Thin on purpose (Notificaties / GOV.UK Pay style):
 * ids, statuses, a time and a link — never personal data; the receiver fetches the case with its
 * own API key if it needs more.
 */
import * as z from 'zod';
import { CASE_STATUSES } from '../case/lifecycle.ts';

export const CASE_STATUS_CHANGED = 'case.status_changed';

/** One committed status change, as the outbox item holds it (flat string attributes). */
export const OutboxEventSchema = z.object({
  eventId: z.string().min(1).max(100),
  eventType: z.literal(CASE_STATUS_CHANGED),
  caseId: z.string().min(1).max(100),
  status: z.enum(CASE_STATUSES),
  previousStatus: z.enum(CASE_STATUSES).optional(),
  occurredAt: z.string().min(1),
});
export type OutboxEvent = z.infer<typeof OutboxEventSchema>;

/** The body POSTed to a portal's webhook. */
export interface ThinEvent {
  readonly id: string;
  readonly type: typeof CASE_STATUS_CHANGED;
  readonly caseId: string;
  readonly status: string;
  readonly previousStatus?: string;
  readonly occurredAt: string;
  readonly links: { readonly case: string };
}

export function thinEvent(event: OutboxEvent, baseUrl: string): ThinEvent {
  return {
    id: event.eventId,
    type: event.eventType,
    caseId: event.caseId,
    status: event.status,
    ...(event.previousStatus ? { previousStatus: event.previousStatus } : {}),
    occurredAt: event.occurredAt,
    links: { case: `${baseUrl.replace(/\/+$/, '')}/v1/cases/${encodeURIComponent(event.caseId)}` },
  };
}
