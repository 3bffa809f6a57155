/**
 * DynamoDB Streams: the table's new outbox items — the event source mapping's filter lets only
 * INSERTs of `type = outbox` through — fanned out to one SQS message per webhook of the case's
 * portal (case events; the portal the event names, else the case's) or of the task's department
 * (task events; core/webhooks/deliver.ts). Reads only: nothing is marked, the mapping's position
 * on the stream is what has been handed over. Locally the very same file runs on DynamoDB Local's
 * stream (local/webhook-dispatcher.ts), its queue a local SQS endpoint.
 *
 * One batch reads its audiences' webhooks once, all of them in one read (their directories: one
 * BatchGetItem), and fans its events out as of it.
 * Records are handled in order; at the first failure the rest of the batch is reported failed
 * (ReportBatchItemFailures), so Lambda retries from there. A record handled twice enqueues twice:
 * delivery is at least once, receivers dedupe by event id.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { webhookConfig } from '#adapters/config.ts';
import { outboxEventFromImage, outboxStore } from '#adapters/dynamodb/outbox.ts';
import {
  departmentWebhookRepository,
  webhookDirectories,
  webhookRepository,
} from '#adapters/dynamodb/webhook-store.ts';
import { invocation, logger } from '#adapters/logger.ts';
import { sqsDeliveryQueue } from '#adapters/webhooks/sqs-queue.ts';
import { batchDirectory, fanOut } from '#core/webhooks/deliver.ts';

const env = webhookConfig();
if (!env.WEBHOOK_QUEUE_URL || !env.PUBLIC_BASE_URL)
  throw new Error('enqueue-webhooks needs WEBHOOK_QUEUE_URL and PUBLIC_BASE_URL');

const deps = {
  outbox: outboxStore,
  webhooks: webhookRepository,
  departmentWebhooks: departmentWebhookRepository,
  lookUp: webhookDirectories,
  queue: sqsDeliveryQueue(env.WEBHOOK_QUEUE_URL),
  baseUrl: env.PUBLIC_BASE_URL,
};

export async function enqueueWebhooks(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  // Each portal's or department's webhooks read once for the whole batch, all in one read
  // (core/webhooks/deliver.ts).
  const batch = batchDirectory(deps);
  const events = event.Records.map((record) => outboxEventFromImage(record.dynamodb?.NewImage));
  await batch.prefetch(events.filter((e) => e !== undefined));
  for (const [i, record] of event.Records.entries()) {
    const outboxEvent = events[i];
    if (!outboxEvent) {
      // Not an outbox insert (the filter should have kept it out) or unreadable: nothing to send.
      logger.warn('stream record skipped', { eventName: record.eventName });
      continue;
    }
    try {
      const webhooks = await fanOut(batch, outboxEvent);
      logger.info('webhook event enqueued', { eventId: outboxEvent.eventId, webhooks });
    } catch (err) {
      logger.error('webhook fan-out failed', { eventId: outboxEvent.eventId, error: (err as Error).message });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

export const handler = invocation<DynamoDBStreamEvent, DynamoDBBatchResponse>(enqueueWebhooks);
