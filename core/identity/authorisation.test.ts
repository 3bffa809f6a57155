import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '#core/shared/errors.ts';
import {
  type Authorisation,
  authorisationState,
  grantAuthorisation,
  MAX_AUTHORISATION_DAYS,
  mayActOnBehalf,
  revokeAuthorisation,
} from './authorisation.ts';
import { ID_A, ID_B, ID_HELPER, organisation, person, USCC_A, USCC_B } from './test-identities.ts';

const NOW = new Date('2026-12-01T08:00:00Z');
const DAY = 86_400_000;
const later = (days: number) => new Date(NOW.getTime() + days * DAY);

const grandmother = person(ID_A, '陈静');
const helper = person(ID_HELPER, '赵敏');
const stranger = person(ID_B, '刘洋');
const NEWBORN = { bundleId: 'newborn', serviceIds: ['birth-registration', 'medical-insurance'] };

function authorise(over: Partial<Parameters<typeof grantAuthorisation>[0]> = {}): Authorisation {
  return grantAuthorisation(
    {
      id: 'a-1',
      principal: { kind: 'person', idNumber: ID_A, name: '陈静' },
      helper: { kind: 'person', idNumber: ID_HELPER, name: '赵敏' },
      scope: { bundleIds: ['newborn'] },
      expiresAt: later(30).toISOString(),
      ...over,
    },
    { kind: 'principal', identity: grandmother },
    NOW,
  );
}

const claimedGrandmother = { kind: 'person', idNumber: ID_A, name: '陈静' } as const;

describe('mayActOnBehalf', () => {
  it('lets an applicant act for themself without any authorisation', () => {
    expect(
      mayActOnBehalf(grandmother, claimedGrandmother, { purpose: NEWBORN, authorisations: [], now: NOW }),
    ).toMatchObject({ allowed: true, basis: 'self', actor: { idNumber: ID_A } });
  });

  it('lets a helper act under an authorisation in force, recording who acted for whom under which', () => {
    const a = authorise();
    expect(
      mayActOnBehalf(helper, claimedGrandmother, { purpose: NEWBORN, authorisations: [a], now: later(1) }),
    ).toEqual({
      allowed: true,
      basis: 'authorisation',
      authorisationId: 'a-1',
      actor: { subject: helper.subject, name: '赵敏', idNumber: ID_HELPER },
      principal: claimedGrandmother,
    });
  });

  it('refuses a helper without an authorisation', () => {
    expect(
      mayActOnBehalf(helper, claimedGrandmother, { purpose: NEWBORN, authorisations: [], now: NOW }),
    ).toMatchObject({ allowed: false, reason: 'different_person' });
  });

  it('refuses someone else than the named helper, even holding the same authorisation', () => {
    expect(
      mayActOnBehalf(stranger, claimedGrandmother, {
        purpose: NEWBORN,
        authorisations: [authorise()],
        now: NOW,
      }),
    ).toMatchObject({ allowed: false, reason: 'different_person' });
  });

  it('refuses once the authorisation has expired, or before it starts', () => {
    const a = authorise({ validFrom: later(2).toISOString(), expiresAt: later(10).toISOString() });
    const at = (now: Date) =>
      mayActOnBehalf(helper, claimedGrandmother, { purpose: NEWBORN, authorisations: [a], now });
    expect(at(later(1))).toMatchObject({ allowed: false, reason: 'authorisation_not_yet_valid' });
    expect(at(later(5))).toMatchObject({ allowed: true });
    expect(at(later(10))).toMatchObject({ allowed: false, reason: 'authorisation_expired' });
  });

  it('refuses after the applicant revokes it', () => {
    const revoked = revokeAuthorisation(authorise(), { kind: 'identity', identity: grandmother }, later(1));
    expect(revoked.revokedBy).toEqual({ kind: 'principal', id: grandmother.subject });
    expect(
      mayActOnBehalf(helper, claimedGrandmother, {
        purpose: NEWBORN,
        authorisations: [revoked],
        now: later(2),
      }),
    ).toMatchObject({ allowed: false, reason: 'authorisation_revoked' });
  });

  it('refuses a bundle or service the authorisation does not cover', () => {
    const a = authorise({ scope: { bundleIds: ['newborn'], serviceIds: ['birth-registration'] } });
    const purpose = (p: typeof NEWBORN) =>
      mayActOnBehalf(helper, claimedGrandmother, { purpose: p, authorisations: [a], now: NOW });
    expect(purpose({ bundleId: 'newborn', serviceIds: ['birth-registration'] })).toMatchObject({
      allowed: true,
    });
    expect(purpose(NEWBORN)).toMatchObject({ allowed: false, reason: 'outside_authorisation_scope' });
    expect(purpose({ bundleId: 'after-death', serviceIds: [] })).toMatchObject({
      reason: 'outside_authorisation_scope',
    });
  });

  it('refuses a helper signed in below the assurance the authorisation asks for', () => {
    const a = authorise({ minAssurance: 3 });
    const ctx = { purpose: NEWBORN, authorisations: [a], now: NOW };
    expect(mayActOnBehalf(helper, claimedGrandmother, ctx)).toMatchObject({
      reason: 'insufficient_assurance',
    });
    expect(mayActOnBehalf(person(ID_HELPER, '赵敏', 3), claimedGrandmother, ctx)).toMatchObject({
      allowed: true,
    });
  });

  it('refuses when the application names the principal differently from the authorisation', () => {
    expect(
      mayActOnBehalf(
        helper,
        { kind: 'person', idNumber: ID_A, name: '陈晶' },
        { purpose: NEWBORN, authorisations: [authorise()], now: NOW },
      ),
    ).toMatchObject({ allowed: false, reason: 'name_mismatch' });
  });

  it('uses a usable authorisation among unusable ones, and names the best reason when none is', () => {
    const expired = { ...authorise({ id: 'old' }), expiresAt: NOW.toISOString() };
    const good = authorise({ id: 'new' });
    const ctx = (authorisations: Authorisation[]) => ({ purpose: NEWBORN, authorisations, now: later(1) });
    expect(mayActOnBehalf(helper, claimedGrandmother, ctx([expired, good]))).toMatchObject({
      authorisationId: 'new',
    });
    const narrow = authorise({ id: 'narrow', scope: { bundleIds: ['after-death'] } });
    expect(mayActOnBehalf(helper, claimedGrandmother, ctx([expired, narrow]))).toMatchObject({
      reason: 'outside_authorisation_scope',
    });
  });

  it('lets an intermediary organisation act through its people for an organisation that authorised it', () => {
    const restaurant = organisation(USCC_A, '常州青果巷餐饮管理有限公司', { idNumber: ID_B, name: '刘洋' });
    const agency = organisation(
      USCC_B,
      '常州代办服务有限公司',
      { idNumber: ID_HELPER, name: '赵敏' },
      'authorised',
    );
    const a = grantAuthorisation(
      {
        id: 'a-org',
        principal: { kind: 'organisation', uscc: USCC_A, name: '常州青果巷餐饮管理有限公司' },
        helper: { kind: 'organisation', uscc: USCC_B, name: '常州代办服务有限公司' },
        scope: { bundleIds: ['restaurant-opening'] },
        expiresAt: later(90).toISOString(),
      },
      { kind: 'principal', identity: restaurant },
      NOW,
    );
    expect(
      mayActOnBehalf(
        agency,
        { kind: 'organisation', uscc: USCC_A },
        { purpose: { bundleId: 'restaurant-opening', serviceIds: [] }, authorisations: [a], now: NOW },
      ),
    ).toMatchObject({
      allowed: true,
      authorisationId: 'a-org',
      actor: { idNumber: ID_HELPER, organisation: { uscc: USCC_B, role: 'authorised' } },
    });
  });

  it('never allows under an authorisation that is revoked or expired, whatever the purpose (property)', () => {
    const base = authorise({ scope: { bundleIds: ['newborn', 'after-death'] } });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.boolean(),
        fc.constantFrom('newborn', 'after-death', 'restaurant-opening'),
        (revokeDay, checkDay, revoke, bundleId) => {
          const a = revoke
            ? revokeAuthorisation(base, { kind: 'counter', portalId: 'counter-1' }, later(revokeDay))
            : base;
          const now = later(checkDay);
          const decision = mayActOnBehalf(helper, claimedGrandmother, {
            purpose: { bundleId, serviceIds: [] },
            authorisations: [a],
            now,
          });
          const usable = authorisationState(a, now) === 'in_force' && bundleId !== 'restaurant-opening';
          return decision.allowed === usable;
        },
      ),
    );
  });
});

describe('grantAuthorisation', () => {
  it('lists every problem of a bad request at once', () => {
    const bad = () =>
      grantAuthorisation(
        {
          id: 'x',
          principal: { kind: 'person', idNumber: ID_A, name: '陈静' },
          helper: { kind: 'person', idNumber: ID_A, name: '陈静' },
          scope: { bundleIds: [] },
          expiresAt: later(MAX_AUTHORISATION_DAYS + 1).toISOString(),
        },
        { kind: 'principal', identity: grandmother },
        NOW,
      );
    expect(bad).toThrow(ValidationError);
    try {
      bad();
    } catch (e) {
      expect((e as ValidationError).problems.map((p) => p.code).sort()).toEqual([
        'helper_is_principal',
        'invalid_value',
        'too_long',
      ]);
    }
  });

  it('refuses an expiry that is not after the start', () => {
    expect(() => authorise({ expiresAt: NOW.toISOString() })).toThrow(ValidationError);
  });

  it('is granted only by the principal, or for an organisation by its legal representative', () => {
    expect(() =>
      grantAuthorisation(
        {
          id: 'x',
          principal: { kind: 'person', idNumber: ID_A, name: '陈静' },
          helper: { kind: 'person', idNumber: ID_HELPER, name: '赵敏' },
          scope: { bundleIds: ['newborn'] },
          expiresAt: later(1).toISOString(),
        },
        { kind: 'principal', identity: helper },
        NOW,
      ),
    ).toThrow(ForbiddenError);
    const clerk = organisation(USCC_A, '某公司', { idNumber: ID_B, name: '刘洋' }, 'authorised');
    expect(() =>
      grantAuthorisation(
        {
          id: 'x',
          principal: { kind: 'organisation', uscc: USCC_A, name: '某公司' },
          helper: { kind: 'person', idNumber: ID_HELPER, name: '赵敏' },
          scope: { bundleIds: ['restaurant-opening'] },
          expiresAt: later(1).toISOString(),
        },
        { kind: 'principal', identity: clerk },
        NOW,
      ),
    ).toThrow(/legal representative/);
  });

  it('is recorded by a counter with the officer and the signed power of attorney', () => {
    const a = grantAuthorisation(
      {
        id: 'a-c',
        principal: { kind: 'person', idNumber: ID_A, name: '陈静' },
        helper: { kind: 'person', idNumber: ID_HELPER, name: '赵敏' },
        scope: { bundleIds: ['newborn'] },
        expiresAt: later(7).toISOString(),
      },
      { kind: 'counter', portalId: 'counter-tianning', officer: 'w-0042', evidence: 'poa-2026-000123' },
      NOW,
    );
    expect(a.grantedBy).toEqual({
      kind: 'counter',
      portalId: 'counter-tianning',
      officer: 'w-0042',
      evidence: 'poa-2026-000123',
    });
    expect(a.minAssurance).toBe(2);
  });
});

describe('revokeAuthorisation', () => {
  it('lets the helper give it up, and nobody else but the principal or a counter revoke it', () => {
    expect(revokeAuthorisation(authorise(), { kind: 'identity', identity: helper }, NOW).revokedBy).toEqual({
      kind: 'helper',
      id: helper.subject,
    });
    expect(() => revokeAuthorisation(authorise(), { kind: 'identity', identity: stranger }, NOW)).toThrow(
      ForbiddenError,
    );
  });

  it('refuses to revoke twice', () => {
    const once = revokeAuthorisation(authorise(), { kind: 'counter', portalId: 'c' }, NOW);
    expect(() => revokeAuthorisation(once, { kind: 'counter', portalId: 'c' }, NOW)).toThrow(ConflictError);
  });
});
