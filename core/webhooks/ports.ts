/** The webhook use cases' ports: storage, the delivery queue, the HTTP sender, DNS. */
import { DomainError } from '../shared/errors.ts';
import type { TaskEventType } from './events.ts';

/**
 * Whose webhook it is: a portal's (the status changes of its cases) or a department's (the events
 * of its tasks). Exactly one of the two ids is set.
 */
export type WebhookOwner =
  | { readonly portalId: string; readonly departmentId?: never }
  | { readonly departmentId: string; readonly portalId?: never };

/** The owner as a kind and an id (which repository, which key). */
export interface OwnerRef {
  readonly kind: 'portal' | 'department';
  readonly id: string;
}

export function ownerOf(owner: WebhookOwner): OwnerRef {
  return owner.departmentId !== undefined
    ? { kind: 'department', id: owner.departmentId }
    : { kind: 'portal', id: owner.portalId };
}

/** An owner as one string (`kind \n id`): how several owners' webhooks are keyed in one answer. */
export const ownerKey = (o: OwnerRef): string => `${o.kind}\n${o.id}`;

export type WebhookRecord = WebhookOwner & {
  readonly webhookId: string;
  readonly url: string;
  readonly description?: string | undefined;
  /** A department's webhook: the task events it receives. Portals' webhooks receive case events. */
  readonly events?: readonly TaskEventType[] | undefined;
  /** HMAC key of the signatures; shown to the portal once, at registration. */
  readonly secret: string;
  readonly createdAt: string;
};

/** Thrown by WebhookRepository.create when the owner already has its limit: nothing is stored. */
export class WebhookLimitError extends DomainError {
  readonly code = 'too_many_webhooks';
}

/** The webhooks of one kind of owner (portals, or departments), by the owner's id. */
export interface WebhookRepository {
  /**
   * Stores the webhook iff its owner has fewer than `limit` at that instant — decided atomically,
   * so concurrent registrations never exceed it; otherwise throws WebhookLimitError.
   */
  create(record: WebhookRecord, limit: number): Promise<void>;
  list(ownerId: string): Promise<WebhookRecord[]>;
  get(ownerId: string, webhookId: string): Promise<WebhookRecord | undefined>;
  /** The deleted webhook; undefined when the owner has no such webhook. */
  delete(ownerId: string, webhookId: string): Promise<WebhookRecord | undefined>;
}

/** One event for one webhook: what the queue carries between fan-out and delivery. */
export type DeliveryMessage = WebhookOwner & {
  readonly eventId: string;
  readonly webhookId: string;
  /** The exact JSON body to POST (and sign); the same on every try. */
  readonly body: string;
  /**
   * The first try, signed by the fan-out with the webhook as it read it (core/webhooks/deliver.ts
   * `fanOut`): where to POST and the Standard Webhooks timestamp and signature of that moment —
   * the signature of this body only, never the secret. Absent on messages enqueued before it.
   */
  readonly signed?: { readonly url: string; readonly timestamp: number; readonly signature: string };
};

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

export type DeadLetter = WebhookOwner & {
  readonly webhookId: string;
  readonly eventId: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly failedAt: string;
  readonly body: string;
};

export interface DeadLetterStore {
  record(deadLetter: DeadLetter): Promise<void>;
}

/**
 * The outbox side of fan-out: whose case it is, for a case event that does not say (written before
 * events carried their portal). Nothing is written back: the table's stream hands each event to
 * fan-out once (at least once), so there is no backlog to leave.
 */
export interface OutboxPort {
  portalOf(caseId: string): Promise<string | undefined>;
}

/** A host name's addresses (all of them, v4 and v6); throws when it does not resolve. */
export type ResolveHost = (host: string) => Promise<string[]>;
