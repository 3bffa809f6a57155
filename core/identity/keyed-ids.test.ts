import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crockfordBase32,
  formatVerificationCode,
  identifierKeyer,
  isCaseId,
  isLicenseId,
  keyedIdentifier,
  newCaseId,
  newLicenseId,
  newVerificationCode,
  normaliseVerificationCode,
  verificationCodeDigest,
  verificationCodeMatches,
} from './keyed-ids.ts';
import { arbitraryIdNumber, ID_A, USCC_A } from './test-identities.ts';

const SECRET = 'changzhou-identifier-secret-0123456789abcdef';
const OTHER_CITY = 'langfang--identifier-secret-0123456789abcdef';

describe('keyedIdentifier', () => {
  it('is stable within a city, different in another, and not the plain SHA-256', () => {
    const k = keyedIdentifier(SECRET, 'idNumber', ID_A);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(keyedIdentifier(SECRET, 'idNumber', ID_A)).toBe(k);
    expect(keyedIdentifier(OTHER_CITY, 'idNumber', ID_A)).not.toBe(k);
    expect(k).not.toBe(createHash('sha256').update(ID_A).digest('hex'));
  });

  it('keeps purposes apart: the same characters as an ID number and as another purpose differ', () => {
    expect(keyedIdentifier(SECRET, 'idNumber', USCC_A)).not.toBe(keyedIdentifier(SECRET, 'uscc', USCC_A));
  });

  it('ignores case and spaces of ID numbers and credit codes', () => {
    const x = '11010519491231002X';
    expect(keyedIdentifier(SECRET, 'idNumber', ' 110105 19491231002x')).toBe(
      keyedIdentifier(SECRET, 'idNumber', x),
    );
  });

  it('refuses a secret shorter than 256 bits', () => {
    expect(() => keyedIdentifier('short', 'idNumber', ID_A)).toThrow(RangeError);
    expect(() => identifierKeyer(new Uint8Array(31))).toThrow(RangeError);
  });

  it('gives distinct people distinct keys (property)', () => {
    const key = identifierKeyer(SECRET);
    fc.assert(
      fc.property(
        arbitraryIdNumber,
        arbitraryIdNumber,
        (a, b) => (a === b) === (key('idNumber', a) === key('idNumber', b)),
      ),
    );
  });
});

describe('case and license ids', () => {
  it('are random 128-bit ids in lower-case Crockford base32, never repeating', () => {
    const ids = Array.from({ length: 2000 }, newCaseId);
    for (const id of ids) expect(isCaseId(id), id).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const license = newLicenseId();
    expect(isLicenseId(license)).toBe(true);
    expect(isCaseId(license)).toBe(false);
    // Still fits the existing task-id and license patterns (c-[a-z0-9]+).
    expect(ids[0]).toMatch(/^c-[a-z0-9]+$/);
  });

  it('refuses ids of the old, computable form', () => {
    expect(isCaseId('c-abcdefghijklmnopqrstuvwx')).toBe(false);
    expect(isLicenseId('c-abc.birth-registration')).toBe(false);
  });
});

describe('crockfordBase32', () => {
  it('encodes known vectors', () => {
    expect(crockfordBase32(Buffer.from([0, 0, 0, 0, 0]))).toBe('00000000');
    expect(crockfordBase32(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('ZZZZZZZZ');
    expect(crockfordBase32(Buffer.from('f'))).toBe('CR');
    expect(crockfordBase32(Buffer.alloc(16)).length).toBe(26);
  });
});

describe('license verification codes', () => {
  const LICENSE = 'l-0123456789abcdefghjkmnpqrs';

  it('are 8 typable characters, printed as XXXX-XXXX', () => {
    const code = newVerificationCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(formatVerificationCode(code)).toMatch(/^.{4}-.{4}$/);
  });

  it('match what a person types: any case, hyphens, spaces, O for 0 and I or L for 1', () => {
    const digest = verificationCodeDigest(SECRET, LICENSE, '10K0-3ABC');
    for (const typed of ['10K03ABC', '10k0-3abc', 'IOKO 3ABC', 'l0k0-3abc'])
      expect(verificationCodeMatches(SECRET, LICENSE, digest, typed), typed).toBe(true);
  });

  it('refuse another code, a code of another license, a malformed code, and another city', () => {
    const code = newVerificationCode();
    const digest = verificationCodeDigest(SECRET, LICENSE, code);
    const other = code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`;
    expect(verificationCodeMatches(SECRET, LICENSE, digest, other)).toBe(false);
    expect(verificationCodeMatches(SECRET, 'l-zzzzzzzzzzzzzzzzzzzzzzzzzz', digest, code)).toBe(false);
    expect(verificationCodeMatches(SECRET, LICENSE, digest, `${code}0`)).toBe(false);
    expect(verificationCodeMatches(SECRET, LICENSE, digest, 'U0000000')).toBe(false);
    expect(verificationCodeMatches(OTHER_CITY, LICENSE, digest, code)).toBe(false);
    expect(verificationCodeMatches(SECRET, LICENSE, 'not-hex', code)).toBe(false);
  });

  it('store no code in clear: the digest does not contain it', () => {
    const code = newVerificationCode();
    expect(verificationCodeDigest(SECRET, LICENSE, code).toUpperCase()).not.toContain(code);
  });

  it('normalise only what can be a code', () => {
    expect(normaliseVerificationCode('abcd-efgh')).toBe('ABCDEFGH');
    expect(normaliseVerificationCode('abc')).toBeUndefined();
    expect(normaliseVerificationCode('ABCD-EFGU')).toBeUndefined();
  });

  it('accept every code they issue, and only it (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 5, maxLength: 5 }),
        fc.uint8Array({ minLength: 5, maxLength: 5 }),
        (a, b) => {
          const ca = crockfordBase32(a);
          const cb = crockfordBase32(b);
          const digest = verificationCodeDigest(SECRET, LICENSE, ca);
          return (
            verificationCodeMatches(SECRET, LICENSE, digest, ca) &&
            verificationCodeMatches(SECRET, LICENSE, digest, cb) === (ca === cb)
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
