/**
 * The operators' credentials command (scripts/credentials/operations.ts — what the CLI runs)
 * against the local stack: a portal key it issues works over HTTP and stops working once revoked
 * (once the authorizer cache, which the dev server keeps as API Gateway does, has expired);
 * the same for department tokens (by token and by jti); department ids are checked against the
 * catalog; and on AWS the usage-plan side gets exactly the key value DynamoDB knows.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PortalLimits, UsagePlanAdmin } from '#adapters/apigateway/usage-plans.ts';
import { isCounterPortal } from '#adapters/dynamodb/counter-portals.ts';
import { hashApiKey } from '#adapters/dynamodb/credential-store.ts';
import {
  type CredentialsTarget,
  issueDepartment,
  issuePortal,
  listPortals,
  revokeDepartmentToken,
  revokePortal,
  revokeTokenById,
  UsageError,
} from '../../scripts/credentials/operations.ts';
import { call } from '../e2e/target.ts';

/** Waits out the authorizer results cache (API Gateway's 300 s; the test stack's is shortened). */
const afterAuthorizerCache = () =>
  new Promise((resolve) => setTimeout(resolve, Number(process.env.AUTHORIZER_CACHE_SECONDS) * 1000 + 200));

const local: CredentialsTarget = {
  kind: 'local',
  city: process.env.CITY_ID!,
  tokenSecret: process.env.TOKEN_SECRET!,
  catalogFile: process.env.CATALOG_FILE!,
};

const asPortal = (apiKey: string) => call('GET', '/v1/webhooks', { headers: { 'x-api-key': apiKey } });
const asDepartment = (departmentId: string, token: string) =>
  call('GET', `/v1/departments/${departmentId}/tasks?status=pending`, {
    headers: { authorization: `Bearer ${token}` },
  });

describe('portal credentials', () => {
  it('issues a key that works over HTTP, and revoking the portal turns every key away', async () => {
    const id = `portal-${randomUUID().slice(0, 8)}`;
    const first = await issuePortal(local, { id, name: '测试门户' });
    const second = await issuePortal(local, { id, name: '测试门户 (新名称)' });
    expect(first.apiKey).toMatch(/^yjs_/);
    expect(second.apiKey).not.toBe(first.apiKey);
    expect((await asPortal(first.apiKey)).status).toBe(200);
    expect((await asPortal(second.apiKey)).status).toBe(200);

    const listed = (await listPortals(local)).find((p) => p.portalId === id);
    expect(listed).toMatchObject({ name: '测试门户 (新名称)', status: 'active' });
    expect(listed!.keys.map((k) => k.keyPrefix).sort()).toEqual(
      [first.apiKey.slice(0, 8), second.apiKey.slice(0, 8)].sort(),
    );
    expect(JSON.stringify(listed)).not.toContain(first.apiKey);
    expect(JSON.stringify(listed)).not.toContain(hashApiKey(first.apiKey));

    expect(await revokePortal(local, { id })).toEqual({ portalId: id, revokedKeys: 2 });
    // As behind API Gateway, a cached answer may serve the revoked keys until the authorizer cache
    // expires (AUTHORIZER_CACHE_SECONDS); then they are refused.
    await afterAuthorizerCache();
    expect((await asPortal(first.apiKey)).status).toBe(401);
    expect((await asPortal(second.apiKey)).status).toBe(401);
    expect((await listPortals(local)).find((p) => p.portalId === id)).toMatchObject({ status: 'revoked' });
    // Revoking again finds nothing left to revoke.
    expect(await revokePortal(local, { id })).toEqual({ portalId: id, revokedKeys: 0 });
  });

  it('refuses a portal id that is not lower-case words', async () => {
    await expect(issuePortal(local, { id: 'Portal A', name: 'x' })).rejects.toBeInstanceOf(UsageError);
  });

  it('registers a counter (窗口) portal only when asked (--counter), and keeps the flag on a new key', async () => {
    const counter = `counter-${randomUUID().slice(0, 8)}`;
    const plain = `portal-${randomUUID().slice(0, 8)}`;
    expect(await issuePortal(local, { id: counter, name: '测试窗口', counter: true })).toMatchObject({
      counter: true,
    });
    await issuePortal(local, { id: plain, name: '测试门户' });
    expect(await isCounterPortal(counter)).toBe(true);
    expect(await isCounterPortal(plain)).toBe(false);
    await issuePortal(local, { id: counter, name: '测试窗口 (新密钥)' });
    expect(await isCounterPortal(counter)).toBe(true);
  });

  it('on AWS puts the same key value on the portal’s usage plan, and removes it on revocation', async () => {
    const calls: string[] = [];
    const values = new Map<string, string>();
    const plans: UsagePlanAdmin = {
      async addPortalKey(portalId: string, apiKey: string, limits?: PortalLimits) {
        calls.push(`add ${portalId} ${JSON.stringify(limits)}`);
        values.set(portalId, apiKey);
        return { usagePlanId: 'up-1', apiKeyId: 'k-1' };
      },
      async removePortalKeys(portalId: string) {
        calls.push(`remove ${portalId}`);
        return 1;
      },
    };
    const aws: CredentialsTarget = { ...local, kind: 'aws', usagePlans: plans };
    const id = `portal-${randomUUID().slice(0, 8)}`;
    const issued = await issuePortal(aws, { id, name: 'AWS 门户', limits: { rateLimit: 5 } });
    expect(issued.usagePlan).toEqual({ usagePlanId: 'up-1', apiKeyId: 'k-1' });
    expect(values.get(id)).toBe(issued.apiKey);
    expect((await asPortal(issued.apiKey)).status).toBe(200);
    expect(await revokePortal(aws, { id })).toEqual({
      portalId: id,
      revokedKeys: 1,
      apiGatewayKeysDeleted: 1,
    });
    expect(calls).toEqual([`add ${id} {"rateLimit":5}`, `remove ${id}`]);
  });
});

describe('department tokens', () => {
  it('issues a token for a catalog department that works, and revoking the token turns it away', async () => {
    const issued = await issueDepartment(local, { id: 'tax', days: 1 });
    expect((await asDepartment('tax', issued.token)).status).toBe(200);
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    expect(await revokeDepartmentToken(local, { token: issued.token })).toEqual({
      jti: issued.jti,
      departmentId: 'tax',
      alreadyExpired: false,
    });
    await afterAuthorizerCache();
    expect((await asDepartment('tax', issued.token)).status).toBe(401);
  });

  it('revokes by jti', async () => {
    const issued = await issueDepartment(local, { id: 'market-regulation' });
    expect((await asDepartment('market-regulation', issued.token)).status).toBe(200);
    await revokeTokenById(local, { jti: issued.jti });
    await afterAuthorizerCache();
    expect((await asDepartment('market-regulation', issued.token)).status).toBe(401);
    // Other tokens of the same department still work.
    const other = await issueDepartment(local, { id: 'market-regulation' });
    expect((await asDepartment('market-regulation', other.token)).status).toBe(200);
  });

  it('refuses a department the catalog does not have, naming the ones it has', async () => {
    await expect(issueDepartment(local, { id: 'ministry-of-magic' })).rejects.toThrow(
      /Known: .*market-regulation/,
    );
    await expect(issueDepartment(local, { id: 'tax', days: 0 })).rejects.toThrow(UsageError);
  });

  it('refuses to revoke a token signed with another secret', async () => {
    const foreign = await issueDepartment({ ...local, tokenSecret: 'x'.repeat(64) }, { id: 'tax' });
    await expect(revokeDepartmentToken(local, { token: foreign.token })).rejects.toThrow(
      /not a department token/,
    );
  });
});
