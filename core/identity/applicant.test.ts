import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actingPersonOf, claimedApplicantOf, mayActFor } from './applicant.ts';
import {
  arbitraryIdNumber,
  arbitraryUscc,
  ID_A,
  ID_B,
  organisation,
  person,
  USCC_A,
  USCC_B,
} from './test-identities.ts';

describe('mayActFor — a person', () => {
  const chen = person(ID_A, '陈静');

  it('acts for themself: the same ID number, and the same name when one is claimed', () => {
    expect(mayActFor(chen, { kind: 'person', idNumber: ID_A })).toEqual({ allowed: true, basis: 'self' });
    expect(mayActFor(chen, { kind: 'person', idNumber: ID_A, name: '陈静' })).toEqual({
      allowed: true,
      basis: 'self',
    });
  });

  it('tolerates a lower-case check character and full-width or spaced names', () => {
    const withX = person('11010519491231002X', '王 小明');
    expect(mayActFor(withX, { kind: 'person', idNumber: '11010519491231002x', name: '王小明' }).allowed).toBe(
      true,
    );
    expect(mayActFor(chen, { kind: 'person', idNumber: ID_A, name: ' 陈静 ' }).allowed).toBe(true);
  });

  it('refuses another person, saying the ID number disagrees', () => {
    expect(mayActFor(chen, { kind: 'person', idNumber: ID_B, name: '陈静' })).toMatchObject({
      allowed: false,
      reason: 'different_person',
    });
  });

  it('refuses their own ID number under another name', () => {
    expect(mayActFor(chen, { kind: 'person', idNumber: ID_A, name: '刘洋' })).toMatchObject({
      allowed: false,
      reason: 'name_mismatch',
    });
  });

  it('refuses to act for an organisation, even one they represent', () => {
    expect(mayActFor(chen, { kind: 'organisation', uscc: USCC_A })).toMatchObject({
      allowed: false,
      reason: 'person_for_organisation',
    });
  });

  it('never acts for a person with another ID number (property)', () => {
    fc.assert(
      fc.property(arbitraryIdNumber, arbitraryIdNumber, (a, b) => {
        fc.pre(a !== b);
        return !mayActFor(person(a, '甲'), { kind: 'person', idNumber: b }).allowed;
      }),
    );
  });
});

describe('mayActFor — an organisation', () => {
  const restaurant = organisation(USCC_A, '常州青果巷餐饮管理有限公司', { idNumber: ID_B, name: '刘洋' });
  const clerk = organisation(
    USCC_A,
    '常州青果巷餐饮管理有限公司',
    { idNumber: ID_A, name: '陈静' },
    'authorised',
  );

  it('acts for itself through its legal representative or an authorised person, saying which', () => {
    expect(
      mayActFor(restaurant, { kind: 'organisation', uscc: USCC_A, name: '常州青果巷餐饮管理有限公司' }),
    ).toEqual({ allowed: true, basis: 'legal_representative' });
    expect(mayActFor(clerk, { kind: 'organisation', uscc: USCC_A })).toEqual({
      allowed: true,
      basis: 'authorised',
    });
  });

  it('refuses another organisation, another name, and any person (its representative included)', () => {
    expect(mayActFor(restaurant, { kind: 'organisation', uscc: USCC_B })).toMatchObject({
      reason: 'different_organisation',
    });
    expect(mayActFor(restaurant, { kind: 'organisation', uscc: USCC_A, name: '别的公司' })).toMatchObject({
      reason: 'name_mismatch',
    });
    expect(mayActFor(restaurant, { kind: 'person', idNumber: ID_B })).toMatchObject({
      reason: 'organisation_for_person',
    });
  });

  it('never acts for an organisation with another credit code (property)', () => {
    fc.assert(
      fc.property(arbitraryUscc, arbitraryUscc, (a, b) => {
        fc.pre(a !== b);
        const org = organisation(a, '某公司', { idNumber: ID_A, name: '陈静' });
        return !mayActFor(org, { kind: 'organisation', uscc: b }).allowed;
      }),
    );
  });
});

describe('acting person and claimed applicant of an identity', () => {
  it('names the person at the keyboard, and the applicant the identity is on its own standing', () => {
    const org = organisation(USCC_A, '某公司', { idNumber: ID_B, name: '刘洋' });
    expect(actingPersonOf(org)).toMatchObject({ idNumber: ID_B, name: '刘洋' });
    expect(claimedApplicantOf(org)).toEqual({ kind: 'organisation', uscc: USCC_A, name: '某公司' });
    const p = person(ID_A, '陈静');
    expect(actingPersonOf(p)).toEqual({ subject: p.subject, name: '陈静', idNumber: ID_A });
    expect(mayActFor(p, claimedApplicantOf(p)).allowed).toBe(true);
  });
});
