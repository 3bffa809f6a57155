import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesMatchType, SIGNATURES, SNIFF_BYTES, sniffContentType } from './sniff.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);
const text = (s: string) => new TextEncoder().encode(s);

const PDF = text('%PDF-1.7\n%\xe2\xe3\n1 0 obj');
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00);
const PNG = bytes(
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0x00,
  0x00,
  0x00,
  0x0d,
  0x49,
  0x48,
  0x44,
  0x52,
);
const ZIP = bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00);

const DECLARABLE = [
  ...SIGNATURES.map((s) => s.contentType),
  'image/gif',
  'text/plain',
  'application/octet-stream',
];

const startsWithSignature = (head: Uint8Array) =>
  SIGNATURES.some((s) => head.length >= s.magic.length && s.magic.every((b, i) => head[i] === b));

describe('content sniffing', () => {
  it('recognises PDF, JPEG, PNG and ZIP-based OFD by their first bytes', () => {
    expect(sniffContentType(PDF)).toBe('application/pdf');
    expect(sniffContentType(JPEG)).toBe('image/jpeg');
    expect(sniffContentType(PNG)).toBe('image/png');
    expect(sniffContentType(ZIP)).toBe('application/ofd');
  });

  it('needs no more than SNIFF_BYTES to decide', () => {
    for (const s of SIGNATURES) expect(s.magic.length).toBeLessThanOrEqual(SNIFF_BYTES);
  });

  it('matches bytes to the declared type they carry', () => {
    expect(bytesMatchType('application/pdf', PDF)).toBe(true);
    expect(bytesMatchType('image/jpeg', JPEG)).toBe(true);
    expect(bytesMatchType('image/png', PNG)).toBe(true);
  });

  it('ignores case and parameters of the declared type', () => {
    expect(bytesMatchType('Application/PDF; charset=binary', PDF)).toBe(true);
  });

  it('refuses PNG bytes declared as PDF, and PDF bytes declared as an image', () => {
    expect(bytesMatchType('application/pdf', PNG)).toBe(false);
    expect(bytesMatchType('image/png', PDF)).toBe(false);
    expect(bytesMatchType('image/jpeg', PDF)).toBe(false);
  });

  it('refuses a signature that does not open the file', () => {
    expect(bytesMatchType('application/pdf', text(' %PDF-1.7'))).toBe(false);
  });

  it('refuses a file shorter than the signature', () => {
    expect(bytesMatchType('image/png', PNG.slice(0, 7))).toBe(false);
    expect(bytesMatchType('application/pdf', new Uint8Array(0))).toBe(false);
  });

  it('never trusts a declared type it has no signature for', () => {
    expect(bytesMatchType('text/plain', text('hello'))).toBe(false);
    expect(bytesMatchType('application/octet-stream', PDF)).toBe(false);
  });

  it('never matches random bytes that do not start with a signature', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).filter((head) => !startsWithSignature(head)),
        fc.constantFrom(...DECLARABLE),
        (head, declared) => !bytesMatchType(declared, head) && sniffContentType(head) === undefined,
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a signature with any one byte changed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIGNATURES),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (sig, at, delta) => {
          const head = Uint8Array.from([...sig.magic, 0, 0, 0, 0]);
          const i = at % sig.magic.length;
          head[i] = (head[i]! + delta) % 256;
          return !bytesMatchType(sig.contentType, head);
        },
      ),
    );
  });

  it('matches a signature followed by any bytes to its own type and to no other', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNATURES), fc.uint8Array({ maxLength: 64 }), (sig, tail) => {
        const head = Uint8Array.from([...sig.magic, ...tail]);
        return DECLARABLE.every(
          (declared) => bytesMatchType(declared, head) === (declared === sig.contentType),
        );
      }),
    );
  });
});
