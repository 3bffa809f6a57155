/**
 * Webhook delivery on this machine (portals' case events and departments' task events alike): what
 * DynamoDB Streams → enqueue-webhooks → SQS →
 * deliver-webhook do in AWS, with the same use cases (core/webhooks/deliver.ts) and adapters
 * (DynamoDB outbox and webhooks, the guarded HTTP sender):
 *  - polls the outbox backlog (gsi2 OUTBOX: events not yet dispatched) every `pollEveryMs`;
 *  - fans each event out and marks it dispatched (`fanOut`);
 *  - tries each delivery, and schedules the next try after the backoff the use case answers —
 *    a timer standing in for the SQS visibility timeout — until it is delivered or dead-lettered.
 * Pending tries live in memory: stopping the stack drops them (events not yet dispatched stay in
 * the outbox and go out at the next start with --persist).
 * For the IAM proof (adapters/aws-call-recorder.ts), a fan-out's calls are those of
 * enqueue-webhooks and a try's those of deliver-webhook, with the SQS calls the timers stand in
 * for; the outbox poll stands in for the table's stream and is nobody's (unattributed).
 */

import { recordStandIn, runAsFunction } from '#adapters/aws-call-recorder.ts';
import { retryPolicy, webhookConfig } from '#adapters/config.ts';
import { outboxStore, pendingOutboxEvents } from '#adapters/dynamodb/outbox.ts';
import {
  deadLetterStore,
  departmentWebhookRepository,
  webhookRepository,
} from '#adapters/dynamodb/webhook-store.ts';
import { logger } from '#adapters/logger.ts';
import { createHttpSender } from '#adapters/webhooks/http-sender.ts';
import { type DeliverDeps, deliverWebhook, fanOut } from '#core/webhooks/deliver.ts';
import type { DeliveryMessage, DeliveryQueue } from '#core/webhooks/ports.ts';

export interface WebhookDispatcherOptions {
  /** The API's base URL, for the events' links. */
  readonly baseUrl: string;
  /** @default 100 */
  readonly pollEveryMs?: number;
}

export interface WebhookDispatcher {
  /** Dispatches the outbox backlog now (the timer does it every pollEveryMs). */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

/** An event seen recently is not fanned out again while the index catches up with its mark. */
const RECENT_MS = 60_000;

export function startWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const env = webhookConfig();
  const policy = retryPolicy(env);
  const deliverDeps: DeliverDeps = {
    webhooks: webhookRepository,
    departmentWebhooks: departmentWebhookRepository,
    sender: createHttpSender({ allowPrivate: env.WEBHOOK_ALLOW_PRIVATE, timeoutMs: env.WEBHOOK_TIMEOUT_MS }),
    deadLetters: deadLetterStore,
    policy,
    now: () => new Date(),
  };
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  const recent = new Map<string, number>();
  let stopped = false;

  const track = (p: Promise<unknown>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  const later = (ms: number, run: () => Promise<unknown>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) track(run());
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const attempt = async (message: DeliveryMessage, n: number): Promise<void> => {
    const ids = { eventId: message.eventId, webhookId: message.webhookId, attempt: n };
    try {
      const outcome = await runAsFunction('deliver-webhook', async () => {
        const o = await deliverWebhook(deliverDeps, message, n);
        if (o.outcome === 'retry') recordStandIn('sqs', 'ChangeMessageVisibility', {}, 'local timer');
        return o;
      });
      if (outcome.outcome === 'retry') {
        logger.info('webhook delivery failed; retrying', {
          ...ids,
          error: outcome.error,
          delayMs: outcome.delayMs,
        });
        later(outcome.delayMs, () => attempt(message, n + 1));
      } else if (outcome.outcome === 'dead_lettered') {
        logger.warn('webhook delivery dead-lettered', { ...ids, error: outcome.error });
      }
    } catch (err) {
      // Storage unavailable: like SQS after its visibility timeout, the same try comes back later.
      logger.warn('webhook delivery errored', { ...ids, error: (err as Error).message });
      later(policy.maxDelayMs, () => attempt(message, n));
    }
  };

  const queue: DeliveryQueue = {
    async enqueue(messages) {
      if (messages.length) recordStandIn('sqs', 'SendMessageBatch', {}, 'local queue');
      for (const m of messages) later(0, () => attempt(m, 1));
    },
  };

  const poll = async (): Promise<number> => {
    const now = Date.now();
    for (const [id, at] of recent) if (now - at > RECENT_MS) recent.delete(id);
    let dispatched = 0;
    for (const event of await pendingOutboxEvents(25)) {
      if (stopped) break;
      if (recent.has(event.eventId)) continue;
      recent.set(event.eventId, now);
      try {
        await runAsFunction('enqueue-webhooks', () =>
          fanOut(
            {
              outbox: outboxStore,
              webhooks: webhookRepository,
              departmentWebhooks: departmentWebhookRepository,
              queue,
              baseUrl: options.baseUrl,
            },
            event,
          ),
        );
        dispatched++;
      } catch (err) {
        recent.delete(event.eventId); // picked up again at the next poll
        logger.warn('webhook fan-out failed', { eventId: event.eventId, error: (err as Error).message });
      }
    }
    return dispatched;
  };

  const loop = async () => {
    try {
      await poll();
    } catch (err) {
      logger.warn('outbox poll failed', { error: (err as Error).message });
    }
    later(options.pollEveryMs ?? 100, loop);
  };
  later(0, loop);

  return {
    poll,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
