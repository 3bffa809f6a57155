import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  idNumberCheckCharacter,
  isValidIdNumber,
  isValidUscc,
  maskIdentifier,
  maskPhone,
  usccCheckCharacter,
} from './identifiers.ts';

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const idPrefix = fc
  .record({
    region: fc.stringMatching(/^[1-6]\d{5}$/),
    date: fc.date({ min: new Date('1920-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }),
    seq: fc.stringMatching(/^\d{3}$/),
  })
  .map(({ region, date, seq }) => `${region}${date.toISOString().slice(0, 10).replace(/-/g, '')}${seq}`);

const usccPrefix = fc
  .tuple(
    fc.constantFrom(...'123456789ANY'),
    fc.constantFrom(...'12345'),
    fc.stringMatching(/^\d{6}$/),
    fc.array(fc.constantFrom(...USCC_CHARS), { minLength: 9, maxLength: 9 }),
  )
  .map(([a, b, region, rest]) => `${a}${b}${region}${rest.join('')}`);

describe('resident ID numbers (GB 11643)', () => {
  it('accepts published valid samples', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('320402199001011239')).toBe(true);
  });

  it('accepts every number whose check character is computed', () => {
    fc.assert(fc.property(idPrefix, (p) => isValidIdNumber(p + idNumberCheckCharacter(p))));
  });

  it('rejects every single-character change of the check character', () => {
    fc.assert(
      fc.property(idPrefix, fc.constantFrom(...'0123456789X'), (p, c) => {
        fc.pre(c !== idNumberCheckCharacter(p));
        return !isValidIdNumber(p + c);
      }),
    );
  });

  it('rejects impossible birth dates and wrong lengths', () => {
    const bad = '32040219900231123'; // 31 February
    expect(isValidIdNumber(bad + idNumberCheckCharacter(bad))).toBe(false);
    expect(isValidIdNumber('3204021990010112')).toBe(false);
  });
});

describe('unified social credit codes (GB 32100)', () => {
  it('accepts a published valid sample', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
  });

  it('accepts every code whose check character is computed', () => {
    fc.assert(fc.property(usccPrefix, (p) => isValidUscc(p + usccCheckCharacter(p))));
  });

  it('rejects a wrong check character and forbidden letters', () => {
    fc.assert(
      fc.property(usccPrefix, fc.constantFrom(...USCC_CHARS), (p, c) => {
        fc.pre(c !== usccCheckCharacter(p));
        return !isValidUscc(p + c);
      }),
    );
    expect(isValidUscc('91350100M000100YI3')).toBe(false);
  });
});

describe('masking', () => {
  it('keeps only the first and last four characters of an identifier', () => {
    expect(maskIdentifier('320402199001011239')).toBe('3204**********1239');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
