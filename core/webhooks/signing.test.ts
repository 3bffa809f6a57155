import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  signedHeaders,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignature,
} from './signing.ts';

// The Standard Webhooks specification's own test vector (its README and every reference library).
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const BODY = '{"id":"e-1","type":"case.status_changed","caseId":"c-1","status":"in_review"}';

describe('webhook signatures (Standard Webhooks)', () => {
  it('matches the specification’s test vector', () => {
    expect(webhookSignature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toBe(SPEC_SIGNATURE);
  });

  it('is verified by the standardwebhooks library', () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders(secret, 'e-1', now, BODY);
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('is refused by the library with another secret, an altered body, another id or an old timestamp', () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders(secret, 'e-1', now, BODY);
    expect(() => new Webhook(newWebhookSecret()).verify(BODY, headers)).toThrow();
    expect(() => new Webhook(secret).verify(BODY.replace('in_review', 'issued'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(BODY, { ...headers, [WEBHOOK_ID_HEADER]: 'e-2' })).toThrow();
    const stale = signedHeaders(secret, 'e-1', now - 301, BODY);
    expect(() => new Webhook(secret).verify(BODY, stale)).toThrow(/timestamp/i);
  });

  it('names the three standard headers', () => {
    expect(Object.keys(signedHeaders(newWebhookSecret(), 'e-1', 1, BODY)).sort()).toEqual(
      [WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER].sort(),
    );
  });

  it('round-trips through the library for any body and event id', () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    fc.assert(
      fc.property(fc.json(), fc.stringMatching(/^[\w-]{1,40}$/), (body, id) => {
        const headers = signedHeaders(secret, id, now, body);
        expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('makes distinct secrets of 32 random bytes in standard base64', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
