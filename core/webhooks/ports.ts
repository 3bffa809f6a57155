/** The webhook use cases' ports: storage, the delivery queue, the HTTP sender, DNS. */
import { DomainError } from '../shared/errors.ts';
import type { OutboxEvent } from './events.ts';

export interface WebhookRecord {
  readonly webhookId: string;
  readonly portalId: string;
  readonly url: string;
  readonly description?: string | undefined;
  /** HMAC key of the signatures; shown to the portal once, at registration. */
  readonly secret: string;
  readonly createdAt: string;
}

/** Thrown by WebhookRepository.create when the portal already has its limit: nothing is stored. */
export class WebhookLimitError extends DomainError {
  readonly code = 'too_many_webhooks';
}

export interface WebhookRepository {
  /**
   * Stores the webhook iff the portal has fewer than `limit` at that instant — decided atomically,
   * so concurrent registrations never exceed it; otherwise throws WebhookLimitError.
   */
  create(record: WebhookRecord, limit: number): Promise<void>;
  list(portalId: string): Promise<WebhookRecord[]>;
  get(portalId: string, webhookId: string): Promise<WebhookRecord | undefined>;
  /** The deleted webhook; undefined when the portal has no such webhook. */
  delete(portalId: string, webhookId: string): Promise<WebhookRecord | undefined>;
}

/** One event for one webhook: what the queue carries between fan-out and delivery. */
export interface DeliveryMessage {
  readonly eventId: string;
  readonly portalId: string;
  readonly webhookId: string;
  /** The exact JSON body to POST (and sign); the same on every try. */
  readonly body: string;
}

export interface DeliveryQueue {
  enqueue(messages: readonly DeliveryMessage[]): Promise<void>;
}

export type SendResult =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status?: number; readonly error: string };

export interface WebhookSender {
  /** One POST: no redirects followed, bounded time, the connected address checked. */
  post(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<SendResult>;
}

export interface DeadLetter {
  readonly portalId: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly failedAt: string;
  readonly body: string;
}

export interface DeadLetterStore {
  record(deadLetter: DeadLetter): Promise<void>;
}

/** The outbox side of fan-out: whose case it is, and marking an event as handed to the queue. */
export interface OutboxPort {
  portalOf(caseId: string): Promise<string | undefined>;
  markDispatched(event: OutboxEvent): Promise<void>;
}

/** A host name's addresses (all of them, v4 and v6); throws when it does not resolve. */
export type ResolveHost = (host: string) => Promise<string[]>;
