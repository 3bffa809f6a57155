/**
 * Identifiers that cannot be guessed or computed from outside:
 * - keyed identifiers for storage keys: HMAC-SHA256 under a per-city secret, so that a table
 *   export or a key in a log does not give away an ID number or a credit code, and nobody without
 *   the secret can compute the key of a given person (a plain SHA-256 of an 18-character ID number
 *   is reversed by enumerating birth dates and sequence numbers in minutes);
 * - random case and license ids (128 bits), never derived from an Idempotency-Key;
 * - the license verification code printed on a license: 8 characters of Crockford base32 (40 bits),
 *   easy to type from paper, compared in constant time, stored only as a keyed digest.
 * Pure: node:crypto only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Crockford's base32: no I, L, O, U; case-insensitive; O→0 and I/L→1 when read back. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function crockfordBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31];
  return out;
}

/** The least secret length accepted: 256 bits, like the HMAC's output. */
export const MIN_SECRET_BYTES = 32;

/** What a keyed identifier stands for: each purpose has its own key space (domain separation). */
export type IdentifierPurpose = 'idNumber' | 'uscc' | 'idempotencyKey' | 'verificationCode' | 'subject';

export type IdentifierSecret = string | Uint8Array;

function secretBytes(secret: IdentifierSecret): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES)
    throw new RangeError(`an identifier secret needs at least ${MIN_SECRET_BYTES} bytes`);
  return bytes;
}

/** ID numbers and credit codes are written in upper case (the check character "X"), without spaces. */
export function normaliseIdentifier(purpose: IdentifierPurpose, value: string): string {
  return purpose === 'idNumber' || purpose === 'uscc' ? value.replace(/\s+/gu, '').toUpperCase() : value;
}

/**
 * The storage form of an identifier: hex HMAC-SHA256 of `purpose \n value` under the city's secret.
 * The same person always gets the same key in one city; another city (another secret) another.
 */
export function keyedIdentifier(secret: IdentifierSecret, purpose: IdentifierPurpose, value: string): string {
  return createHmac('sha256', secretBytes(secret))
    .update(`${purpose}\n${normaliseIdentifier(purpose, value)}`)
    .digest('hex');
}

/** A binding of a keyed identifier to one city's secret, for repositories that take it as a port. */
export type IdentifierKeyer = (purpose: IdentifierPurpose, value: string) => string;

export function identifierKeyer(secret: IdentifierSecret): IdentifierKeyer {
  const bytes = secretBytes(secret);
  return (purpose, value) => keyedIdentifier(bytes, purpose, value);
}

/** 128 random bits as 26 lower-case Crockford characters (the last carries 2 padding bits). */
const random128 = () => crockfordBase32(randomBytes(16)).toLowerCase();

const CASE_ID = /^c-[0-9a-hjkmnp-tv-z]{26}$/;
const LICENSE_ID = /^l-[0-9a-hjkmnp-tv-z]{26}$/;

/** A new case id, e.g. `c-5x1v9…`: random, so knowing the Idempotency-Key tells nothing about it. */
export const newCaseId = (): string => `c-${random128()}`;
export const isCaseId = (value: string): boolean => CASE_ID.test(value);

/** A new license id, e.g. `l-8k2m…`: random, not `<caseId>.<serviceId>`. */
export const newLicenseId = (): string => `l-${random128()}`;
export const isLicenseId = (value: string): boolean => LICENSE_ID.test(value);

export const VERIFICATION_CODE_LENGTH = 8;

/** A new verification code to print on a license: 8 Crockford characters, shown as `XXXX-XXXX`. */
export function newVerificationCode(): string {
  // 5 bytes = 40 bits = exactly 8 characters.
  return crockfordBase32(randomBytes(5));
}

export const formatVerificationCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

/**
 * What a person typed, in canonical form, or undefined when it cannot be a code: case and hyphens
 * and spaces do not matter, O reads as 0 and I or L as 1 (Crockford).
 */
export function normaliseVerificationCode(typed: string): string | undefined {
  const code = typed
    .replace(/[\s-]+/gu, '')
    .toUpperCase()
    .replace(/O/gu, '0')
    .replace(/[IL]/gu, '1');
  if (code.length !== VERIFICATION_CODE_LENGTH) return undefined;
  for (const c of code) if (!CROCKFORD.includes(c)) return undefined;
  return code;
}

/**
 * What the license stores instead of its code: a keyed digest bound to the license id, so a code
 * copied from one license does not verify another and a leaked table does not reveal codes.
 */
export function verificationCodeDigest(secret: IdentifierSecret, licenseId: string, code: string): string {
  return verificationCodeDigestWith(identifierKeyer(secret), licenseId, code);
}

/** `verificationCodeDigest` with the city's keyer (what the issuing function holds, not the secret). */
export function verificationCodeDigestWith(keyer: IdentifierKeyer, licenseId: string, code: string): string {
  const canonical = normaliseVerificationCode(code);
  if (!canonical) throw new RangeError('not a verification code');
  return keyer('verificationCode', `${licenseId}\n${canonical}`);
}

/**
 * Whether the typed code is the license's, in time that does not depend on where they differ.
 * `storedDigest` is what `verificationCodeDigest` returned when the license was issued.
 */
export function verificationCodeMatches(
  secret: IdentifierSecret,
  licenseId: string,
  storedDigest: string,
  typed: string,
): boolean {
  return verificationCodeMatchesWith(identifierKeyer(secret), licenseId, storedDigest, typed);
}

/** `verificationCodeMatches` with the city's keyer. */
export function verificationCodeMatchesWith(
  keyer: IdentifierKeyer,
  licenseId: string,
  storedDigest: string,
  typed: string,
): boolean {
  const canonical = normaliseVerificationCode(typed);
  // A malformed code is still compared (against a digest of a fixed code), so timing tells nothing.
  const presented = Buffer.from(keyer('verificationCode', `${licenseId}\n${canonical ?? '00000000'}`), 'hex');
  const stored = Buffer.from(storedDigest, 'hex');
  const equal = stored.length === presented.length && timingSafeEqual(stored, presented);
  return equal && canonical !== undefined;
}
