/**
 * The webhook functions' configuration, parsed once from the environment by one zod schema (kept
 * apart from adapters/config.ts so that only the functions that deliver webhooks carry it).
 */
import * as z from 'zod';
import type { RetryPolicy } from '#core/webhooks/backoff.ts';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const WebhookEnvSchema = z.object({
  /** Local development only (local/stack.ts): http and private/loopback hosts are accepted. */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The SQS queue of deliveries (AWS). */
  WEBHOOK_QUEUE_URL: z.string().url().optional(),
  /** The API's public base URL, for the events' links. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  WEBHOOK_MAX_ATTEMPTS: positiveInt(8).pipe(z.number().max(20)),
  WEBHOOK_BACKOFF_BASE_MS: positiveInt(1000),
  WEBHOOK_BACKOFF_CAP_MS: positiveInt(5 * 60_000),
  /** One try's whole time budget: connect, send, status line. */
  WEBHOOK_TIMEOUT_MS: positiveInt(5000).pipe(z.number().max(20_000)),
});
export type WebhookConfig = z.infer<typeof WebhookEnvSchema>;

let cached: WebhookConfig | undefined;

export function webhookConfig(): WebhookConfig {
  if (cached) return cached;
  const parsed = WebhookEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid webhook configuration:\n${lines}`);
  }
  cached = parsed.data;
  return cached;
}

export function retryPolicy(c: WebhookConfig = webhookConfig()): RetryPolicy {
  return {
    maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
    baseDelayMs: c.WEBHOOK_BACKOFF_BASE_MS,
    maxDelayMs: c.WEBHOOK_BACKOFF_CAP_MS,
  };
}
