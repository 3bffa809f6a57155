/**
 * What `npm run credentials` does, as functions (the CLI in scripts/credentials.ts only parses
 * arguments, finds the target and prints). They work on whichever table and token secret the
 * environment and `target` point at: the local stack's, or a deployed city's.
 */

import type { PortalLimits, UsagePlanAdmin } from '#adapters/apigateway/usage-plans.ts';
import { loadCatalogFile } from '#adapters/catalog/file-catalog.ts';
import {
  listPortals as listPortalRecords,
  type PortalSummary,
  registerPortalKey,
  revokePortalKeys,
  revokeToken,
} from '#adapters/dynamodb/credential-store.ts';
import { listDeadLetters as listDeadLetterRecords } from '#adapters/dynamodb/webhook-store.ts';
import {
  HOTLINE_ID,
  newApiKey,
  SUPERVISOR_ID,
  signDepartmentToken,
  verifyDepartmentToken,
} from '#core/credentials/tokens.ts';
import type { DeadLetter } from '#core/webhooks/ports.ts';

export interface CredentialsTarget {
  /** `local`: the stack `npm start` runs; `aws`: a deployed Yijianshi-<city> stack. */
  readonly kind: 'local' | 'aws';
  readonly city: string;
  /** The HMAC secret of department tokens (the local stack's, or the stack's Secrets Manager secret). */
  readonly tokenSecret: string;
  /** The city's catalog: department ids are checked against it. */
  readonly catalogFile: string;
  /** Deployed stacks only: API Gateway API keys and usage plans mirroring the portal keys. */
  readonly usagePlans?: UsagePlanAdmin;
}

/** Refused input: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const PORTAL_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface IssuedPortal {
  readonly portalId: string;
  /** Shown once: only its SHA-256 is stored. */
  readonly apiKey: string;
  /** Registered as a counter (窗口): may submit for applicants verified in person. */
  readonly counter?: true;
  readonly usagePlan?: { readonly usagePlanId: string; readonly apiKeyId: string };
}

/**
 * A new API key for a portal (the portal is created if new; an existing one keeps its other
 * keys). On AWS the API Gateway key with the same value goes on the portal's usage plan first, so
 * that the key never works in DynamoDB without being metered.
 */
export async function issuePortal(
  target: CredentialsTarget,
  input: { id: string; name: string; limits?: PortalLimits; counter?: boolean },
): Promise<IssuedPortal> {
  if (!PORTAL_ID.test(input.id))
    throw new UsageError(`Portal id "${input.id}" must be lower-case letters and digits joined by "-".`);
  if (!input.name.trim()) throw new UsageError('A portal needs a --name.');
  const apiKey = newApiKey();
  const usagePlan = target.usagePlans
    ? await target.usagePlans.addPortalKey(input.id, apiKey, input.limits)
    : undefined;
  await registerPortalKey(input.id, input.name.trim(), apiKey, input.counter ? { counter: true } : {});
  return {
    portalId: input.id,
    apiKey,
    ...(input.counter ? { counter: true } : {}),
    ...(usagePlan ? { usagePlan } : {}),
  };
}

/** Revokes every key of a portal: in DynamoDB first (the authorizer refuses them), then in API Gateway. */
export async function revokePortal(
  target: CredentialsTarget,
  input: { id: string },
): Promise<{ portalId: string; revokedKeys: number; apiGatewayKeysDeleted?: number }> {
  const revokedKeys = await revokePortalKeys(input.id);
  const apiGatewayKeysDeleted = target.usagePlans
    ? await target.usagePlans.removePortalKeys(input.id)
    : undefined;
  return {
    portalId: input.id,
    revokedKeys,
    ...(apiGatewayKeysDeleted !== undefined ? { apiGatewayKeysDeleted } : {}),
  };
}

export interface IssuedToken {
  readonly departmentId: string;
  readonly token: string;
  readonly jti: string;
  readonly expiresAt: string;
}

/** A bearer token for a department of the city's catalog (or the supervisor), valid `days` days. */
export async function issueDepartment(
  target: CredentialsTarget,
  input: { id: string; days?: number },
): Promise<IssuedToken> {
  const days = input.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new UsageError('--days must be a whole number of days from 1 to 366.');
  // The supervisor (电子监察) and the 12345 hotline's operators hold tokens of the same kind.
  const known = [
    ...loadCatalogFile(target.catalogFile).catalog.departments.map((d) => d.id),
    SUPERVISOR_ID,
    HOTLINE_ID,
  ];
  if (!known.includes(input.id))
    throw new UsageError(
      `"${input.id}" is not a department of ${target.city}'s catalog. Known: ${known.join(', ')}.`,
    );
  const { token, claims } = await signDepartmentToken(target.tokenSecret, {
    departmentId: input.id,
    city: target.city,
    ttlSeconds: days * 24 * 3600,
  });
  return {
    departmentId: input.id,
    token,
    jti: claims.jti,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
  };
}

/** Revokes a department token by its id (the `jti` printed when it was issued). */
export async function revokeTokenById(
  _target: CredentialsTarget,
  input: { jti: string },
): Promise<{ jti: string }> {
  if (!/^[\w-]{8,64}$/.test(input.jti))
    throw new UsageError(`"${input.jti}" does not look like a token id (jti).`);
  await revokeToken(input.jti);
  return { jti: input.jti };
}

/** Revokes the token given (it must be one of this city's, signed with its secret). */
export async function revokeDepartmentToken(
  target: CredentialsTarget,
  input: { token: string },
): Promise<{ jti: string; departmentId: string; alreadyExpired: boolean }> {
  // Checked without the clock, so that the signature is verified whatever the expiry: an expired
  // token needs no revocation, but is still reported as such rather than as unknown.
  const claims = await verifyDepartmentToken(target.tokenSecret, input.token.trim(), target.city, null);
  if (!claims)
    throw new UsageError(`This is not a department token of ${target.city} (bad signature or format).`);
  const alreadyExpired = claims.exp * 1000 <= Date.now();
  if (!alreadyExpired) await revokeToken(claims.jti, claims.exp);
  return { jti: claims.jti, departmentId: claims.sub, alreadyExpired };
}

export async function listPortals(_target: CredentialsTarget): Promise<PortalSummary[]> {
  return listPortalRecords();
}

/** Webhook deliveries that failed every try, newest first (all portals, or one). */
export async function listDeadLetters(
  _target: CredentialsTarget,
  input: { portalId?: string; limit?: number } = {},
): Promise<DeadLetter[]> {
  return listDeadLetterRecords(input);
}
