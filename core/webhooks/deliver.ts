/**
 * Webhook delivery, the same use cases in AWS (DynamoDB Streams → SQS → Lambda) and locally
 * (local/webhook-dispatcher.ts: DynamoDB Local's stream → the same enqueue function, then the
 * delivery on timers): fan one committed event out to its audience's webhooks — a case
 * event to the portal that owns the case, a task event to the department's webhooks that chose
 * that event — then try each delivery, answering what the transport must do next — nothing, retry
 * after a delay, or nothing because the delivery was dead-lettered.
 */
import { mayRetry, type RetryPolicy, retryDelayMs } from './backoff.ts';
import { audienceOf, type OutboxEvent, thinEvent } from './events.ts';
import {
  type DeadLetterStore,
  type DeliveryMessage,
  type DeliveryQueue,
  type OutboxPort,
  type OwnerRef,
  ownerKey,
  ownerOf,
  type WebhookOwner,
  type WebhookRecord,
  type WebhookRepository,
  type WebhookSender,
} from './ports.ts';
import { signatureHeaders, signedHeaders, webhookSignature } from './signing.ts';

/** Where webhooks are found: portals' and departments' are stored apart. */
export interface WebhookDirectory {
  /** Portals' webhooks (case events). */
  readonly webhooks: WebhookRepository;
  /** Departments' webhooks (task events). */
  readonly departmentWebhooks: WebhookRepository;
  /**
   * Several owners' webhooks in one read where the store can (keyed by `ownerKey`, every owner
   * asked answered): how a batch's directory reads all its owners at once. Optional.
   */
  lookUp?(owners: readonly OwnerRef[]): Promise<Map<string, WebhookRecord[]>>;
}

export interface FanOutDeps extends WebhookDirectory {
  readonly outbox: OutboxPort;
  readonly queue: DeliveryQueue;
  /** The API's public base URL, for the event's links. */
  readonly baseUrl: string;
  /** When the first try is signed. @default the clock */
  now?(): Date;
}

/**
 * How long the first try's signature (made by the fan-out) is used as it is: a first try later
 * than this — the queue was backed up — reads the webhook and signs afresh. Well inside the
 * 5 minutes receivers of Standard Webhooks allow a timestamp.
 */
export const SIGNED_FIRST_TRY_SECONDS = 60;

/**
 * The directory for one batch of events (a stream batch): each owner's webhooks read once — all
 * the batch's owners in one read first (`prefetch`, where the store can look several up at once),
 * else on the first event that needs them — and shared by the batch's other events: read as of
 * the batch, as if its events had come together. A failed read is not remembered (the event reads
 * again, or is handed over again).
 */
export function batchDirectory<T extends WebhookDirectory>(
  deps: T,
): T & { prefetch(events: readonly OutboxEvent[]): Promise<void> } {
  const read = {
    portal: new Map<string, Promise<WebhookRecord[]>>(),
    department: new Map<string, Promise<WebhookRecord[]>>(),
  };
  const remember = (kind: OwnerRef['kind'], ownerId: string, hooks: Promise<WebhookRecord[]>) => {
    read[kind].set(ownerId, hooks);
    hooks.catch(() => read[kind].delete(ownerId));
    return hooks;
  };
  const once = (kind: OwnerRef['kind'], repo: WebhookRepository): WebhookRepository => ({
    ...repo,
    list(ownerId) {
      const hooks = read[kind].get(ownerId) ?? remember(kind, ownerId, repo.list(ownerId));
      return hooks.then((h) => [...h]);
    },
  });
  return {
    ...deps,
    webhooks: once('portal', deps.webhooks),
    departmentWebhooks: once('department', deps.departmentWebhooks),
    async prefetch(events) {
      if (!deps.lookUp) return;
      const owners = new Map<string, OwnerRef>();
      for (const event of events) {
        const a = audienceOf(event);
        // A case event without its portal finds it on the case first (`recipients`).
        const owner =
          a.kind === 'department'
            ? { kind: 'department' as const, id: a.departmentId }
            : a.portalId
              ? { kind: 'portal' as const, id: a.portalId }
              : undefined;
        if (owner && !read[owner.kind].has(owner.id)) owners.set(ownerKey(owner), owner);
      }
      if (owners.size === 0) return;
      const all = deps.lookUp([...owners.values()]);
      for (const [key, o] of owners)
        remember(
          o.kind,
          o.id,
          all.then((m) => m.get(key) ?? []),
        );
      // A failed look-up is forgotten (above): each event then reads its owner on its own.
      await all.catch(() => {});
    },
  };
}

/** The repository holding an owner's webhooks. */
const repositoryOf = (deps: WebhookDirectory, owner: WebhookOwner) =>
  ownerOf(owner).kind === 'department' ? deps.departmentWebhooks : deps.webhooks;

/** Whom an event goes to, and which of their webhooks now. */
async function recipients(
  deps: FanOutDeps,
  event: OutboxEvent,
): Promise<{ owner: WebhookOwner; hooks: WebhookRecord[] } | undefined> {
  const audience = audienceOf(event);
  if (audience.kind === 'department') {
    const hooks = await deps.departmentWebhooks.list(audience.departmentId);
    return {
      owner: { departmentId: audience.departmentId },
      // A department's webhook gets the task events it chose (all three by default).
      hooks: hooks.filter((h) => !h.events || h.events.includes(audience.eventType)),
    };
  }
  // The event names its portal (written with the case); older events do not: read the case.
  const portalId = audience.portalId ?? (await deps.outbox.portalOf(audience.caseId));
  return portalId ? { owner: { portalId }, hooks: await deps.webhooks.list(portalId) } : undefined;
}

/**
 * 1. Find the audience: the portal that owns the case (case events: the one the event names, else
 *    the case's), or the department that holds the task (task events; only its webhooks that
 *    chose this event).
 * 2. One delivery message per such webhook it has now, all with the same body.
 * 3. Enqueue them. Nothing is written: the caller (the table's stream) retries a failure, so a
 *    delivery may be enqueued twice — receivers dedupe by event id.
 */
export async function fanOut(deps: FanOutDeps, event: OutboxEvent): Promise<number> {
  const to = await recipients(deps, event);
  const hooks = to?.hooks ?? [];
  if (to && hooks.length) {
    const body = JSON.stringify(thinEvent(event, deps.baseUrl));
    const timestamp = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
    await deps.queue.enqueue(
      hooks.map((h) => ({
        ...to.owner,
        eventId: event.eventId,
        webhookId: h.webhookId,
        body,
        // The webhook was just read: its first try needs no second read (deliverWebhook).
        signed: {
          url: h.url,
          timestamp,
          signature: webhookSignature(h.secret, event.eventId, timestamp, body),
        },
      })),
    );
  }
  return hooks.length;
}

export interface DeliverDeps extends WebhookDirectory {
  readonly sender: WebhookSender;
  readonly deadLetters: DeadLetterStore;
  readonly policy: RetryPolicy;
  now(): Date;
  random?(): number;
}

export type DeliveryOutcome =
  | { readonly outcome: 'delivered'; readonly status: number }
  | { readonly outcome: 'retry'; readonly delayMs: number; readonly error: string }
  | { readonly outcome: 'dead_lettered'; readonly error: string }
  | { readonly outcome: 'dropped'; readonly reason: 'webhook_deleted' };

/**
 * The headers of one try: the Standard Webhooks triple (the event id stays the same on every try,
 * the timestamp is fresh) plus which webhook and which try this is.
 */
export function deliveryHeaders(secret: string, message: DeliveryMessage, now: Date, attempt: number) {
  const timestamp = Math.floor(now.getTime() / 1000);
  return headersOf(message, signedHeaders(secret, message.eventId, timestamp, message.body), attempt);
}

function headersOf(message: DeliveryMessage, standard: Record<string, string>, attempt: number) {
  return {
    'content-type': 'application/json',
    'user-agent': 'yijianshi-webhooks/1',
    ...standard,
    'x-yijianshi-webhook-id': message.webhookId,
    'x-yijianshi-delivery-attempt': String(attempt),
  };
}

/**
 * Try `attempt` (1-based) of one delivery:
 * 1. Read the webhook as it is now; deleted meanwhile → drop the delivery. The first try, within
 *    SIGNED_FIRST_TRY_SECONDS of the fan-out, goes as the fan-out signed it, without that read: a
 *    webhook deleted (or its secret rotated) in those seconds still gets that one try.
 * 2. POST the body, signed with a fresh timestamp (the first try: with the fan-out's).
 * 3. 2xx → delivered. Otherwise retry after the backoff, or — the last try failed — record a
 *    dead letter (visible to operators) and stop.
 */
export async function deliverWebhook(
  deps: DeliverDeps,
  message: DeliveryMessage,
  attempt: number,
): Promise<DeliveryOutcome> {
  const now = deps.now();
  const signed = message.signed;
  const fresh =
    attempt === 1 &&
    signed !== undefined &&
    Math.abs(now.getTime() / 1000 - signed.timestamp) <= SIGNED_FIRST_TRY_SECONDS;
  let url: string;
  let headers: Record<string, string>;
  if (fresh) {
    url = signed.url;
    headers = headersOf(
      message,
      signatureHeaders(message.eventId, signed.timestamp, signed.signature),
      attempt,
    );
  } else {
    const hook = await repositoryOf(deps, message).get(ownerOf(message).id, message.webhookId);
    if (!hook) return { outcome: 'dropped', reason: 'webhook_deleted' };
    url = hook.url;
    headers = deliveryHeaders(hook.secret, message, now, attempt);
  }
  const result = await deps.sender.post(url, headers, message.body);
  if (result.ok) return { outcome: 'delivered', status: result.status };
  if (mayRetry(attempt, deps.policy))
    return {
      outcome: 'retry',
      delayMs: retryDelayMs(attempt, deps.policy, deps.random),
      error: result.error,
    };
  await deps.deadLetters.record({
    ...(message.departmentId !== undefined
      ? { departmentId: message.departmentId }
      : { portalId: message.portalId }),
    webhookId: message.webhookId,
    eventId: message.eventId,
    attempts: attempt,
    lastError: result.error,
    failedAt: deps.now().toISOString(),
    body: message.body,
  });
  return { outcome: 'dead_lettered', error: result.error };
}
