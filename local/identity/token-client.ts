/**
 * Signs a demo applicant in the way a portal and a browser would, over HTTP, against any running
 * local identity provider: the authorization code flow with PKCE (S256). Redirects are followed by
 * hand, the provider's cookies kept, its sign-in page read and its form posted (and its consent
 * form, for a client that is not first-party), then the code exchanged at the token endpoint with
 * the code_verifier. Used by `npm run applicant-token`, the local stack and the tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AssuranceLevel } from '#core/identity/applicant.ts';
import { API_SCOPE } from './well-known.ts';

export interface SignInRequest {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** The API's resource indicator (its audience). */
  readonly resource: string;
  readonly applicantId: string;
  /** 3 to sign in with face verification; default the applicant's usual way. */
  readonly assurance?: AssuranceLevel;
  readonly scope?: string;
}

export interface SignInResult {
  readonly accessToken: string;
  readonly idToken?: string;
  readonly expiresIn: number;
  readonly scope?: string;
}

/** The identity claims in the ID token, and the API access (`applicant`) for the access token. */
const DEFAULT_SCOPE = `openid profile identity organisation ${API_SCOPE}`;
const MAX_STEPS = 12;

/** Just enough of a cookie jar for one host: name → value, expired cookies dropped. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export class SignInError extends Error {}

async function discover(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const r = await fetch(new URL('/.well-known/openid-configuration', issuer));
  if (!r.ok) throw new SignInError(`no OpenID discovery document at ${issuer} (HTTP ${r.status})`);
  const doc = (await r.json()) as {
    issuer?: string;
    authorization_endpoint?: string;
    token_endpoint?: string;
  };
  if (doc.issuer !== issuer || !doc.authorization_endpoint || !doc.token_endpoint)
    throw new SignInError(`the discovery document at ${issuer} is not for issuer ${issuer}`);
  return { authorization_endpoint: doc.authorization_endpoint, token_endpoint: doc.token_endpoint };
}

/** The form on a page of the provider whose action ends in `/<kind>`, as an absolute URL. */
function formAction(html: string, page: string, kind: 'login' | 'confirm'): string | undefined {
  for (const m of html.matchAll(/<form[^>]*\saction="([^"]+)"/g)) {
    const action = m[1]!.replace(/&amp;/g, '&');
    if (action.endsWith(`/${kind}`)) return new URL(action, page).href;
  }
  return undefined;
}

export async function signInWithPkce(request: SignInRequest): Promise<SignInResult> {
  const { authorization_endpoint, token_endpoint } = await discover(request.issuer);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  const auth = new URL(authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: request.scope ?? DEFAULT_SCOPE,
    resource: request.resource,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(16).toString('base64url'),
    // A fresh sign-in every time, whatever session a previous one left.
    prompt: 'login',
    ...(request.assurance === 3 ? { acr_values: 'urn:yijianshi:loa:3' } : {}),
  }).toString();

  const jar = new CookieJar();
  let next: { url: string; method: 'GET' | 'POST'; form?: URLSearchParams } = {
    url: auth.href,
    method: 'GET',
  };
  let callback: URL | undefined;
  for (let step = 0; step < MAX_STEPS && !callback; step++) {
    const r = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(next.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(next.form ? { body: next.form.toString() } : {}),
    });
    jar.store(r);
    const location = r.headers.get('location');
    if (r.status >= 300 && r.status < 400 && location) {
      await r.body?.cancel();
      const target = new URL(location, next.url);
      if (`${target.origin}${target.pathname}` === request.redirectUri) callback = target;
      else next = { url: target.href, method: 'GET' };
      continue;
    }
    const html = await r.text();
    if (r.status !== 200)
      throw new SignInError(
        `the identity provider answered ${r.status} at ${next.url}: ${html.slice(0, 300)}`,
      );
    const login = formAction(html, next.url, 'login');
    const confirm = formAction(html, next.url, 'confirm');
    if (login) {
      if (!html.includes(`value="${request.applicantId}"`))
        throw new SignInError(`the sign-in page offers no applicant "${request.applicantId}"`);
      next = {
        url: login,
        method: 'POST',
        form: new URLSearchParams({ applicant: request.applicantId, method: String(request.assurance ?? 2) }),
      };
    } else if (confirm) {
      next = { url: confirm, method: 'POST', form: new URLSearchParams() };
    } else {
      throw new SignInError(`unexpected page at ${next.url}: ${html.slice(0, 300)}`);
    }
  }
  if (!callback) throw new SignInError(`the sign-in did not come back to ${request.redirectUri}`);
  const error = callback.searchParams.get('error');
  if (error)
    throw new SignInError(
      `sign-in refused: ${error} ${callback.searchParams.get('error_description') ?? ''}`,
    );
  if (callback.searchParams.get('state') !== state)
    throw new SignInError('the sign-in came back with another state');
  const code = callback.searchParams.get('code');
  if (!code) throw new SignInError('the sign-in came back without a code');

  const t = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: request.redirectUri,
      client_id: request.clientId,
      code_verifier: verifier,
      resource: request.resource,
    }).toString(),
  });
  const body = (await t.json()) as {
    access_token?: string;
    id_token?: string;
    expires_in?: number;
    scope?: string;
    error?: string;
    error_description?: string;
  };
  if (!t.ok || !body.access_token)
    throw new SignInError(`token endpoint: ${body.error ?? t.status} ${body.error_description ?? ''}`);
  return {
    accessToken: body.access_token,
    ...(body.id_token ? { idToken: body.id_token } : {}),
    expiresIn: body.expires_in ?? 0,
    ...(body.scope ? { scope: body.scope } : {}),
  };
}
