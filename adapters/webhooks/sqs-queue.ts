/**
 * The delivery queue in AWS: one SQS message per (event, webhook). Backoff between tries is the
 * message's visibility timeout, changed by the delivery function after a failed try.
 */
import * as z from 'zod/mini';
import { recordCallsOf } from '#adapters/aws-call-recorder.ts';
import type { DeliveryMessage, DeliveryQueue } from '#core/webhooks/ports.ts';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '../aws/sqs.ts';

const sqs = recordCallsOf('sqs', new SQSClient({}));

/** SQS allows at most 12 hours of visibility timeout. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

const Delivery = {
  eventId: z.string().check(z.minLength(1)),
  webhookId: z.string().check(z.minLength(1)),
  body: z.string().check(z.minLength(1)),
  signed: z.optional(
    z.object({
      url: z.string().check(z.minLength(1)),
      timestamp: z.number().check(z.int()),
      signature: z.string().check(z.minLength(1)),
    }),
  ),
};
/** A portal's delivery (case events) or a department's (task events). */
export const DeliveryMessageSchema = z.union([
  z.object({ ...Delivery, portalId: z.string().check(z.minLength(1)) }),
  z.object({ ...Delivery, departmentId: z.string().check(z.minLength(1)) }),
]);

export function sqsDeliveryQueue(queueUrl: string): DeliveryQueue {
  return {
    async enqueue(messages: readonly DeliveryMessage[]) {
      for (let i = 0; i < messages.length; i += 10) {
        const batch = messages.slice(i, i + 10);
        const r = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
          }),
        );
        // Partial failure: throw, so the stream retries the record (the sent ones may repeat —
        // receivers dedupe by event id).
        if (r.Failed?.length)
          throw new Error(`SQS refused ${r.Failed.length} of ${batch.length} messages: ${r.Failed[0]?.Code}`);
      }
    },
  };
}

/** Makes a received message visible again after `delayMs` (the next try). */
export async function retryAfter(queueUrl: string, receiptHandle: string, delayMs: number): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(delayMs / 1000))),
    }),
  );
}
