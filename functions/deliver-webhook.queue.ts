/**
 * SQS (AWS only): one try of each webhook delivery in the batch (core/webhooks/deliver.ts, the same
 * use case the local dispatcher runs). The try number is the message's ApproximateReceiveCount.
 * A failed try that may be retried keeps its message: its visibility timeout becomes the backoff
 * delay and it is reported in batchItemFailures, so SQS hands it back after that delay. The last
 * failed try writes a dead-letter item (operators see it) and lets the message go. Messages that
 * keep crashing this function reach the queue's own DLQ after maxReceiveCount.
 */
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { retryPolicy, webhookConfig } from '#adapters/config.ts';
import {
  deadLetterStore,
  departmentWebhookRepository,
  webhookRepository,
} from '#adapters/dynamodb/webhook-store.ts';
import { invocation, logger } from '#adapters/logger.ts';
import { createHttpSender } from '#adapters/webhooks/http-sender.ts';
import { DeliveryMessageSchema, retryAfter } from '#adapters/webhooks/sqs-queue.ts';
import { deliverWebhook } from '#core/webhooks/deliver.ts';

const env = webhookConfig();
if (!env.WEBHOOK_QUEUE_URL) throw new Error('deliver-webhook needs WEBHOOK_QUEUE_URL');
const queueUrl = env.WEBHOOK_QUEUE_URL;

const deps = {
  webhooks: webhookRepository,
  departmentWebhooks: departmentWebhookRepository,
  sender: createHttpSender({ allowPrivate: env.WEBHOOK_ALLOW_PRIVATE, timeoutMs: env.WEBHOOK_TIMEOUT_MS }),
  deadLetters: deadLetterStore,
  policy: retryPolicy(env),
  now: () => new Date(),
};

function parse(body: string) {
  try {
    return DeliveryMessageSchema.safeParse(JSON.parse(body));
  } catch {
    return undefined;
  }
}

export async function deliverBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchItemFailure[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      const message = parse(record.body);
      if (!message?.success) {
        // Kept, so that after maxReceiveCount it lands in the DLQ for someone to look at.
        logger.error('malformed delivery message', { messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
        return;
      }
      const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
      const ids = { eventId: message.data.eventId, webhookId: message.data.webhookId, attempt };
      try {
        const outcome = await deliverWebhook(deps, message.data, attempt);
        if (outcome.outcome === 'retry') {
          await retryAfter(queueUrl, record.receiptHandle, outcome.delayMs);
          failures.push({ itemIdentifier: record.messageId });
          logger.info('webhook delivery failed; retrying', {
            ...ids,
            error: outcome.error,
            delayMs: outcome.delayMs,
          });
        } else if (outcome.outcome === 'dead_lettered') {
          logger.warn('webhook delivery dead-lettered', { ...ids, error: outcome.error });
        } else {
          logger.info('webhook delivery finished', { ...ids, outcome: outcome.outcome });
        }
      } catch (err) {
        // The table was unavailable: SQS retries after the queue's visibility timeout.
        logger.error('webhook delivery errored', { ...ids, error: (err as Error).message });
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
}

export const handler = invocation<SQSEvent, SQSBatchResponse>(deliverBatch);
