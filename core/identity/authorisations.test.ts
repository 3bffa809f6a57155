/**
 * 帮办代办 use cases over an in-memory store: one authorises only for oneself, the helper's
 * identifier is shown masked, a submission by the applicant themself looks nothing up, another's
 * authorisation cannot be revoked (404, as if none), revoking twice is a conflict. Pure.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '#core/shared/errors.ts';
import type { Authorisation } from './authorisation.ts';
import {
  type AuthorisationStore,
  authorisationsFor,
  authorisationView,
  grantMine,
  listMine,
  type PrincipalRef,
  revokeMine,
} from './authorisations.ts';
import { ID_A, ID_B, ID_HELPER, person } from './test-identities.ts';

const NOW = new Date('2026-12-01T08:00:00Z');
const grandmother = person(ID_A, '陈静');
const helper = person(ID_HELPER, '赵敏');
const stranger = person(ID_B, '刘洋');
const bundles = new Map([
  ['after-death', { services: [{ id: 'death-registration' }, { id: 'pension-stop' }] }],
]);

function memoryStore() {
  const items = new Map<string, Authorisation>();
  const keyOf = (p: PrincipalRef) => (p.kind === 'person' ? p.idNumber : p.uscc);
  const lookups: PrincipalRef[] = [];
  const store: AuthorisationStore = {
    put: async (a) => void items.set(a.id, a),
    listForPrincipal: async (p) => {
      lookups.push(p);
      return [...items.values()].filter((a) => keyOf(a.principal) === keyOf(p));
    },
    get: async (p, id) => {
      const a = items.get(id);
      return a && keyOf(a.principal) === keyOf(p) ? a : undefined;
    },
    saveRevocation: async (a) => {
      if (items.get(a.id)?.revokedAt) return false;
      items.set(a.id, a);
      return true;
    },
  };
  return { store, lookups };
}

const request = {
  helper: { kind: 'person' as const, idNumber: ID_HELPER, name: '赵敏' },
  scope: { bundleIds: ['after-death'] },
  expiresAt: new Date(NOW.getTime() + 30 * 86_400_000).toISOString(),
};

describe('帮办代办 use cases', () => {
  it('records an authorisation for the signed-in applicant only, showing the helper masked', async () => {
    const { store } = memoryStore();
    const a = await grantMine({ store, bundles, now: () => NOW, newId: () => 'a-1' }, grandmother, request);
    expect(a.principal).toEqual({ kind: 'person', idNumber: ID_A, name: '陈静' });
    const view = authorisationView(a, NOW);
    expect(view).toMatchObject({ id: 'a-1', state: 'in_force', helper: { kind: 'person', name: '赵敏' } });
    expect(view.helper.identifier).not.toBe(ID_HELPER);
    expect((await listMine({ store }, grandmother)).map((x) => x.id)).toEqual(['a-1']);
    expect(await listMine({ store }, stranger)).toEqual([]);
  });

  it('refuses a scope of unknown bundles or services, every one listed', async () => {
    const { store } = memoryStore();
    const bad = {
      ...request,
      scope: { bundleIds: ['after-death', 'nope'], serviceIds: ['birth-registration'] },
    };
    const err = await grantMine({ store, bundles, now: () => NOW }, grandmother, bad).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => [p.path, p.code])).toEqual([
      ['/scope/bundleIds/1', 'unknown_bundle'],
      ['/scope/serviceIds/0', 'unknown_service'],
    ]);
  });

  it('looks up nothing when the signed-in applicant applies for themself, and the principal’s when a helper does', async () => {
    const { store, lookups } = memoryStore();
    await grantMine({ store, bundles, now: () => NOW }, grandmother, request);
    const claimed = { kind: 'person' as const, idNumber: ID_A, name: '陈静' };
    expect(await authorisationsFor(store, grandmother, claimed)).toEqual([]);
    expect(lookups).toEqual([]);
    expect(await authorisationsFor(store, helper, claimed)).toHaveLength(1);
    expect(lookups).toEqual([{ kind: 'person', idNumber: ID_A }]);
  });

  it('lets only the principal revoke (another’s id is not found), once', async () => {
    const { store } = memoryStore();
    const a = await grantMine({ store, bundles, now: () => NOW }, grandmother, request);
    await expect(revokeMine({ store, now: () => NOW }, stranger, a.id)).rejects.toBeInstanceOf(NotFoundError);
    const revoked = await revokeMine({ store, now: () => NOW }, grandmother, a.id);
    expect(authorisationView(revoked, NOW).state).toBe('revoked');
    await expect(revokeMine({ store, now: () => NOW }, grandmother, a.id)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});
