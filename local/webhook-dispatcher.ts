/**
 * Webhook delivery on this machine (portals' case events and departments' task events alike), the
 * path AWS takes — table stream → enqueue-webhooks → SQS → deliver-webhook — with the same code:
 *  - the table's stream: DynamoDB Local's, read as the deployed event source mapping reads it
 *    (local/stream-poller.ts: the same filter — INSERTs of `type = outbox` — batches of 25,
 *    ReportBatchItemFailures, a checkpoint per shard kept beside the persisted data), every
 *    `pollEveryMs`;
 *  - each batch invokes the real functions/enqueue-webhooks.stream.ts through
 *    local/lambda-registry.ts, as Lambda would (its calls are enqueue-webhooks' for the IAM proof);
 *  - its SQS client sends to a local SQS endpoint (local/sqs-endpoint.ts, AWS_ENDPOINT_URL_SQS and
 *    WEBHOOK_QUEUE_URL set here for the handlers), which hands each message to delivery at once;
 *  - each try runs the delivery use case (core/webhooks/deliver.ts, as deliver-webhook.queue.ts
 *    does), and the next try is scheduled after the backoff it answers — a timer standing in for
 *    the SQS visibility timeout — until it is delivered or dead-lettered.
 * With --persist, an event committed but not yet fanned out when the stack stopped goes out at the
 * next start; one fanned out before does not go out again (the stream checkpoint). Tries pending
 * in memory are dropped by a stop (their SQS messages would survive one in AWS).
 * For the IAM proof (adapters/aws-call-recorder.ts), a try's calls are deliver-webhook's, with the
 * ChangeMessageVisibility its timer stands in for; the stream reads are the Lambda service's, not
 * the product's, and made with clients of their own that nothing records or meters.
 */

import { join } from 'node:path';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { recordStandIn, runAsFunction } from '#adapters/aws-call-recorder.ts';
import { retryPolicy, webhookConfig } from '#adapters/config.ts';
import { OUTBOX_STREAM_FILTER } from '#adapters/dynamodb/outbox.ts';
import {
  deadLetterStore,
  departmentWebhookRepository,
  webhookRepository,
} from '#adapters/dynamodb/webhook-store.ts';
import { logger } from '#adapters/logger.ts';
import { createHttpSender } from '#adapters/webhooks/http-sender.ts';
import { DeliveryMessageSchema } from '#adapters/webhooks/sqs-queue.ts';
import { type DeliverDeps, deliverWebhook } from '#core/webhooks/deliver.ts';
import type { DeliveryMessage } from '#core/webhooks/ports.ts';
import { invokeFunction } from './lambda-registry.ts';
import { startSqsEndpoint } from './sqs-endpoint.ts';
import { startStreamMapping } from './stream-poller.ts';

export interface WebhookDispatcherOptions {
  /** DynamoDB Local's endpoint and the table whose stream carries the outbox. */
  readonly dynamoEndpoint: string;
  readonly region: string;
  readonly tableName: string;
  /** Where the stream checkpoint is kept (the stack's data directory with --persist). */
  readonly stateDir: string;
  /** @default 100 */
  readonly pollEveryMs?: number;
}

export interface WebhookDispatcher {
  /** What the handlers' environment needs for the local queue: WEBHOOK_QUEUE_URL, AWS_ENDPOINT_URL_SQS. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** The file of the stream checkpoint in the stack's data directory. */
export const STREAM_CHECKPOINT_FILE = 'webhook-stream-checkpoint.json';

/**
 * Starts the local queue, then the stream reader. Call it once PUBLIC_BASE_URL is in the
 * environment; it adds the queue's variables itself (before anything reads the webhook
 * configuration) and returns them for the stack's record of its environment.
 */
export async function startWebhookDispatcher(options: WebhookDispatcherOptions): Promise<WebhookDispatcher> {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
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

  // The queue first: the handlers' configuration must name it before it is first read.
  let attempt: (message: DeliveryMessage, n: number) => Promise<void> = async () => undefined;
  const queue = await startSqsEndpoint({
    queueName: `${options.tableName}-webhook-deliveries`,
    receive(bodies) {
      for (const body of bodies) {
        const parsed = DeliveryMessageSchema.safeParse(JSON.parse(body));
        if (!parsed.success) {
          logger.error('webhook delivery message unreadable', { error: parsed.error.message });
          continue;
        }
        const message = parsed.data as DeliveryMessage;
        later(0, () => attempt(message, 1));
      }
    },
  });
  const env = { WEBHOOK_QUEUE_URL: queue.queueUrl, AWS_ENDPOINT_URL_SQS: queue.url };
  Object.assign(process.env, env);

  const config = webhookConfig();
  const policy = retryPolicy(config);
  const deliverDeps: DeliverDeps = {
    webhooks: webhookRepository,
    departmentWebhooks: departmentWebhookRepository,
    sender: createHttpSender({
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    }),
    deadLetters: deadLetterStore,
    policy,
    now: () => new Date(),
  };

  attempt = async (message, n) => {
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

  const stream = startStreamMapping({
    endpoint: options.dynamoEndpoint,
    region: options.region,
    tableName: options.tableName,
    filter: OUTBOX_STREAM_FILTER,
    checkpointFile: join(options.stateDir, STREAM_CHECKPOINT_FILE),
    ...(options.pollEveryMs !== undefined ? { pollEveryMs: options.pollEveryMs } : {}),
    invoke: async (event) =>
      (await invokeFunction('enqueue-webhooks.stream.ts', event)) as DynamoDBBatchResponse | undefined,
    log: {
      info: (m, d) => logger.info(m, d ?? {}),
      warn: (m, d) => logger.warn(m, d ?? {}),
      error: (m, d) => logger.error(m, d ?? {}),
    },
  });

  return {
    env,
    async stop() {
      await stream.stop();
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
      await queue.close();
    },
  };
}
