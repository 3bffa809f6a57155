/**
 * Webhook signatures (Stripe / GOV.UK Pay style): `x-yijianshi-signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp is signed too, so a captured
 * delivery cannot be replayed later than the receiver's tolerance. Pure: node:crypto only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-yijianshi-signature';
export const EVENT_ID_HEADER = 'x-yijianshi-event-id';
/** What receivers should accept between the signed timestamp and their clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A new webhook secret: random, prefixed so that a leaked one is easy to recognise. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmac(secret: string, timestamp: number, body: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest();
}

/** The signature header value for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body).toString('hex')}`;
}

export type Verification =
  | { readonly valid: true; readonly timestamp: number }
  | { readonly valid: false; readonly reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver does: parse `t` and every `v1` (several during a secret rotation), refuse a
 * timestamp outside the tolerance, compare in constant time. Never throws on bad input.
 */
export function verifySignature(
  secret: string,
  header: string | undefined | null,
  body: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Verification {
  if (!header) return { valid: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2) as [string, string | undefined];
    if (k === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) candidates.push(v);
  }
  if (timestamp === undefined || candidates.length === 0) return { valid: false, reason: 'malformed' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS))
    return { valid: false, reason: 'stale' };
  const expected = hmac(secret, timestamp, body);
  const ok = candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
  return ok ? { valid: true, timestamp } : { valid: false, reason: 'mismatch' };
}
