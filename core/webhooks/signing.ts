/**
 * Webhook signatures in the Standard Webhooks scheme (https://www.standardwebhooks.com), so that a
 * portal verifies deliveries with any off-the-shelf `standardwebhooks` library:
 *
 *   webhook-id: <event id>          (the same on every try of one event: dedupe on it)
 *   webhook-timestamp: <unix seconds>
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>
 *
 * where `key` is the base64 part of the `whsec_<base64>` secret, decoded. The id and the timestamp
 * are signed with the body, so a captured delivery can be neither replayed later than the
 * receiver's tolerance nor passed off as another event. Several signatures, space-separated, may
 * appear during a secret rotation.
 *
 * We sign with node:crypto (three lines, nothing added to the Lambda bundle) rather than the
 * library, whose pure-JS SHA-256 is slower; the tests verify every signature with the library.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
/** What receivers should accept between the signed timestamp and their clock (the library's default). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';

/** A new webhook secret: `whsec_` + 32 random bytes in standard base64, as Standard Webhooks expects. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function signingKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

/** The `webhook-signature` value for one delivery of `body` as event `id` at `timestamp` (unix seconds). */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', signingKey(secret))
    .update(`${id}.${timestamp}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** The three signed headers of one delivery. */
export function signedHeaders(secret: string, id: string, timestamp: number, body: string) {
  return signatureHeaders(id, timestamp, webhookSignature(secret, id, timestamp, body));
}

/** The Standard Webhooks headers of a signature made earlier (a first try the fan-out signed). */
export function signatureHeaders(id: string, timestamp: number, signature: string): Record<string, string> {
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: signature,
  };
}
