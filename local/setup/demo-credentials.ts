/**
 * Demo credentials for `npm start` and the tests: two portals with API keys, and a bearer token
 * for every department of the city's catalog. Written to .local/credentials.json in the shape of
 * the API contract.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { registerPortalKey } from '#adapters/dynamodb/credential-store.ts';
import { HOTLINE_ID, newApiKey, SUPERVISOR_ID, signDepartmentToken } from '#core/credentials/tokens.ts';
import {
  type ApplicantCredential,
  applicantCredentials,
  type IdentityProviderCredential,
  identityProviderCredential,
} from '../identity/credentials.ts';
import type { IdentityProvider } from '../identity/provider.ts';

export interface DemoCredentials {
  baseUrl: string;
  /** `counter`: a counter (窗口) portal, whose officers verify applicants in person. */
  portals: { id: string; name: string; apiKey: string; counter?: boolean }[];
  departments: { id: string; name: string; token: string }[];
  /** The 12345 hotline's operators (caller kind `hotline`): they file inquiries for applicants who call. */
  hotline?: { id: string; name: string; token: string };
  /** Demo applicants of the seeded shared data, each with a ready access token (API contract, "Applicants"). */
  applicants?: ApplicantCredential[];
  /** Where fresh applicant tokens come from (`npm run applicant-token -- <id>`). */
  identityProvider?: IdentityProviderCredential;
}

interface StackForCredentials {
  baseUrl: string;
  city: string;
  env: Readonly<Record<string, string>>;
  identityProvider?: IdentityProvider;
}

export const DEMO_PORTALS: readonly { id: string; name: string; counter?: boolean }[] = [
  { id: 'portal-a', name: '演示门户 A (我的常州 App)' },
  { id: 'portal-b', name: '演示门户 B (第三方政务小程序)' },
  // A counter (窗口): its officers verify applicants in person and may submit for them without a token.
  { id: 'portal-counter', name: '演示窗口 (市民中心综合窗口)', counter: true },
];

export async function createDemoCredentials(stack: StackForCredentials): Promise<DemoCredentials> {
  const secret = stack.env.TOKEN_SECRET;
  if (!secret) throw new Error('TOKEN_SECRET is not set in the local stack');
  const portals = [];
  for (const p of DEMO_PORTALS) {
    const apiKey = newApiKey();
    await registerPortalKey(p.id, p.name, apiKey, p.counter ? { counter: true } : {});
    portals.push({ ...p, apiKey });
  }
  // Every department of the catalog, plus a supervisor (电子监察) who sees all departments' deadlines.
  const everyone = [...catalog().catalog.departments, { id: SUPERVISOR_ID, name: '电子监察 (supervision)' }];
  const departments = await Promise.all(
    everyone.map(async (d) => ({
      id: d.id,
      name: d.name,
      token: (
        await signDepartmentToken(secret, {
          departmentId: d.id,
          city: stack.city,
          ttlSeconds: 30 * 24 * 3600,
        })
      ).token,
    })),
  );
  const idp = stack.identityProvider;
  const hotline = {
    id: HOTLINE_ID,
    name: '12345 政务服务便民热线',
    token: (
      await signDepartmentToken(secret, {
        departmentId: HOTLINE_ID,
        city: stack.city,
        ttlSeconds: 30 * 24 * 3600,
      })
    ).token,
  };
  return {
    baseUrl: stack.baseUrl,
    portals,
    departments,
    hotline,
    ...(idp
      ? { applicants: await applicantCredentials(idp), identityProvider: identityProviderCredential(idp) }
      : {}),
  };
}

export async function writeDemoCredentials(
  stack: StackForCredentials,
  file: string,
): Promise<DemoCredentials> {
  const creds = await createDemoCredentials(stack);
  writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return creds;
}
