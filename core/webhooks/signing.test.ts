import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signatureHeader, verifySignature } from './signing.ts';

const SECRET = 'whsec_test-secret';
const BODY = '{"id":"e-1","type":"case.status_changed","caseId":"c-1","status":"in_review"}';

describe('webhook signatures', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256 as t=<seconds>,v1=<hex>', () => {
    const header = signatureHeader(SECRET, BODY, 1_700_000_000);
    const expected = createHmac('sha256', SECRET).update(`1700000000.${BODY}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies its own signature within the tolerance', () => {
    const header = signatureHeader(SECRET, BODY, 1_700_000_000);
    expect(verifySignature(SECRET, header, BODY, { nowSeconds: 1_700_000_000 + 299 })).toEqual({
      valid: true,
      timestamp: 1_700_000_000,
    });
  });

  it('refuses a timestamp older or newer than five minutes', () => {
    const header = signatureHeader(SECRET, BODY, 1_700_000_000);
    expect(verifySignature(SECRET, header, BODY, { nowSeconds: 1_700_000_301 })).toEqual({
      valid: false,
      reason: 'stale',
    });
    expect(verifySignature(SECRET, header, BODY, { nowSeconds: 1_699_999_699 })).toMatchObject({
      valid: false,
    });
  });

  it('refuses another secret, an altered body and a replayed signature with a new timestamp', () => {
    const now = 1_700_000_000;
    const header = signatureHeader(SECRET, BODY, now);
    expect(verifySignature('whsec_other', header, BODY, { nowSeconds: now }).valid).toBe(false);
    expect(verifySignature(SECRET, header, BODY.replace('in_review', 'issued'), { nowSeconds: now })).toEqual(
      {
        valid: false,
        reason: 'mismatch',
      },
    );
    const v1 = header.split('v1=')[1];
    expect(verifySignature(SECRET, `t=${now + 60},v1=${v1}`, BODY, { nowSeconds: now + 60 }).valid).toBe(
      false,
    );
  });

  it('accepts any of several v1 values (a secret being rotated)', () => {
    const now = 1_700_000_000;
    const old = signatureHeader('whsec_old', BODY, now).split('v1=')[1];
    const header = `${signatureHeader(SECRET, BODY, now)},v1=${old}`;
    expect(verifySignature('whsec_old', header, BODY, { nowSeconds: now }).valid).toBe(true);
    expect(verifySignature(SECRET, header, BODY, { nowSeconds: now }).valid).toBe(true);
  });

  it('never throws on arbitrary headers', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), (header) => {
        expect(verifySignature(SECRET, header, BODY).valid).toBe(false);
      }),
    );
  });

  it('round-trips for any body and secret', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.integer({ min: 0, max: 999_999_999_999 }),
        (secret, body, t) => {
          expect(
            verifySignature(secret, signatureHeader(secret, body, t), body, { nowSeconds: t }).valid,
          ).toBe(true);
        },
      ),
    );
  });

  it('makes distinct, prefixed secrets', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[\w-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
