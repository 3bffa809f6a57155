/**
 * Signing in at the city's identity provider: OpenID Connect authorization code flow with PKCE
 * (S256), as a public client — no secret in the browser. The verifier and state wait in
 * sessionStorage for the redirect back; the access token lives in sessionStorage (this tab only).
 */
import type { WebConfig } from './config.ts';

const PENDING = 'yjs.oidc.pending';
const SESSION = 'yjs.oidc.session';
const SCOPE = 'openid profile identity organisation applicant';

export interface Session {
  readonly accessToken: string;
  /** Who signed in (the verified claims of the access token). */
  readonly person: { readonly name: string; readonly idNumber: string };
  /** The enterprise they act for, when they signed in for one (法人登录). */
  readonly organisation?: { readonly uscc: string; readonly name: string };
  readonly expiresAt: number;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));

async function discover(issuer: string) {
  const r = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!r.ok) throw new Error(`身份认证服务不可用（HTTP ${r.status}）`);
  return (await r.json()) as { authorization_endpoint: string; token_endpoint: string };
}

const redirectUri = () => `${location.origin}/`;

export async function signIn(config: WebConfig, returnTo: string): Promise<void> {
  const { authorization_endpoint } = await discover(config.oidc.issuer);
  const verifier = random();
  const challenge = b64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: config.oidc.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: SCOPE,
    resource: config.oidc.audience,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: random(16),
    prompt: 'login',
  }).toString();
  location.assign(url.href);
}

/** On the redirect back (`?code=…&state=…`): exchanges the code; returns where to go next. */
export async function completeSignIn(config: WebConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname + location.hash);
  if (params.has('error')) throw new Error(params.get('error_description') ?? params.get('error')!);
  if (!pending || pending.state !== params.get('state')) throw new Error('登录状态不符，请重新登录。');
  const { token_endpoint } = await discover(config.oidc.issuer);
  const r = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code')!,
      redirect_uri: redirectUri(),
      client_id: config.oidc.clientId,
      code_verifier: pending.verifier,
      resource: config.oidc.audience,
    }).toString(),
  });
  const body = (await r.json()) as { access_token?: string; expires_in?: number; error?: string };
  if (!r.ok || !body.access_token) throw new Error(`换取令牌失败：${body.error ?? r.status}`);
  const claims = JSON.parse(
    new TextDecoder().decode(
      Uint8Array.from(atob(body.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
        c.charCodeAt(0),
      ),
    ),
  ) as { name?: string; id_number?: string; org?: { uscc?: string; name?: string } };
  const session: Session = {
    accessToken: body.access_token,
    person: { name: claims.name ?? '', idNumber: claims.id_number ?? '' },
    ...(claims.org?.uscc ? { organisation: { uscc: claims.org.uscc, name: claims.org.name ?? '' } } : {}),
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
  };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return pending.returnTo;
}

export function currentSession(): Session | undefined {
  const s = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null') as Session | null;
  return s && s.expiresAt > Date.now() ? s : undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION);
}
