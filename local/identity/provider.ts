/**
 * The city's 统一身份认证, locally: a real OpenID provider (`oidc-provider`, OpenID certified) running
 * in-process on its own loopback port. Portals are public clients using the authorization code
 * flow with PKCE (S256); access tokens for the API are JWTs (RFC 9068, `typ: at+jwt`) for the
 * audience `urn:yijianshi:<city>:api`, signed ES256 with a key generated at start (or kept, mode
 * 0600, in `dataDir`) and published at the provider's `jwks_uri`. Accounts are the demo applicants
 * (local/identity/demo-applicants.ts); signing in is a server-rendered page where one picks one.
 *
 * The API never talks to this module: it verifies tokens with adapters/identity/applicant-tokens.ts
 * against the issuer, audience and JWKS URL in its configuration, as it would with any provider.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration, errors } from 'oidc-provider';
import type { IdentityConfig } from '#adapters/identity/config.ts';
import { type AssuranceLevel, acrFor, DEFAULT_ACR_VALUES } from '#core/identity/applicant.ts';
import { DEMO_APPLICANTS, type DemoApplicant, subjectOf } from './demo-applicants.ts';
import { consentPage, errorPage, loginPage, signedInPage } from './pages.ts';
import { signInWithPkce } from './token-client.ts';
import { API_SCOPE, apiAudience, PORTAL_CLIENT_ID, SIGNED_IN_PATH } from './well-known.ts';

export { API_SCOPE, apiAudience, PORTAL_CLIENT_ID, SIGNED_IN_PATH } from './well-known.ts';

/** The reference web portal's client (web/, issue 18): public, code + PKCE. */
export const WEB_CLIENT_ID = 'yijianshi-web';

export interface IdentityProviderOptions {
  readonly city: string;
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** Keep the signing and cookie keys here (identity-provider-keys.json, mode 0600) across restarts. */
  readonly dataDir?: string;
  /** More redirect URIs for the portal client, e.g. the web portal's callback (issue 18). */
  readonly redirectUris?: readonly string[];
  /** Access token lifetime; default 12 hours (a working day of local testing). */
  readonly accessTokenTtlSeconds?: number;
  /**
   * The reference web portal's origin (issue 18): registers the public client WEB_CLIENT_ID, code +
   * PKCE, redirected back to `<origin>/`; the browser calls the token endpoint across origins (CORS).
   */
  readonly webOrigin?: string;
  /** Other clients, e.g. a third-party mini program that must ask for consent. */
  readonly clients?: readonly ClientRegistration[];
  /** Told of every request (for the local stack's request log). */
  readonly onRequest?: (method: string, path: string) => void;
}

export interface ClientRegistration {
  readonly clientId: string;
  readonly name: string;
  /** Absolute, or a path on the provider's own origin (resolved once its port is known). */
  readonly redirectUris: readonly string[];
  /** The city's own portals skip the consent page; anyone else's ask. */
  readonly firstParty: boolean;
}

export interface IdentityProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  readonly portalClientId: string;
  /** The portal client's default redirect URI (a page of the provider saying the sign-in is done). */
  readonly redirectUri: string;
  readonly applicants: readonly DemoApplicant[];
  /** What the API needs to verify this provider's tokens (adapters/identity/config.ts). */
  readonly verification: IdentityConfig;
  /** A fresh access token for a demo applicant, through the real code + PKCE flow over HTTP. */
  tokenFor(applicantId: string, options?: { readonly assurance?: AssuranceLevel }): Promise<string>;
  stop(): Promise<void>;
}

interface KeyFile {
  readonly signing: JWK;
  readonly cookies: readonly string[];
}

async function loadOrCreateKeys(dataDir: string | undefined): Promise<KeyFile> {
  const file = dataDir ? join(dataDir, 'identity-provider-keys.json') : undefined;
  if (file && existsSync(file)) {
    chmodSync(file, 0o600);
    return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const keys: KeyFile = {
    signing: { ...jwk, kid: `es256-${randomBytes(6).toString('hex')}`, alg: 'ES256', use: 'sig' },
    cookies: [randomBytes(32).toString('base64url')],
  };
  if (file && dataDir) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return keys;
}

const MAX_FORM_BYTES = 8 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** `formAction`: where the pages' forms may lead — browsers apply it to the redirects after a post too. */
function send(res: ServerResponse, status: number, html: string, formAction = "'self'"): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}`,
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

const CLAIM_LABELS: Record<string, string> = {
  openid: '您的账号标识',
  profile: '姓名',
  identity: '经核验的居民身份证号码',
  organisation: '您代表的企业（统一社会信用代码、名称、身份）',
};

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const { city } = options;
  const audience = apiAudience(city);
  const keys = await loadOrCreateKeys(options.dataDir);
  const bySubject = new Map(DEMO_APPLICANTS.map((a) => [subjectOf(city, a), a]));
  const ttl = options.accessTokenTtlSeconds ?? 12 * 3600;

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const redirectUri = `${issuer}${SIGNED_IN_PATH}`;

  const clients: ClientRegistration[] = [
    {
      clientId: PORTAL_CLIENT_ID,
      name: `一件事一次办 · ${city}`,
      redirectUris: [redirectUri, ...(options.redirectUris ?? [])],
      firstParty: true,
    },
    ...(options.webOrigin
      ? [
          {
            clientId: WEB_CLIENT_ID,
            name: `一件事一次办 · 网上办事（${city}）`,
            redirectUris: [`${options.webOrigin}/`],
            firstParty: true,
          },
        ]
      : []),
    ...(options.clients ?? []),
  ];
  const firstParty = new Set(clients.filter((c) => c.firstParty).map((c) => c.clientId));
  // The sign-in form's post ends in a redirect to a client's redirect URI: those origins too.
  const formAction = [
    "'self'",
    ...new Set(clients.flatMap((c) => c.redirectUris.map((u) => new URL(u, issuer).origin))),
  ].join(' ');
  const reply = (res: ServerResponse, status: number, html: string) => send(res, status, html, formAction);

  const configuration: Configuration = {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_name: c.name,
      redirect_uris: c.redirectUris.map((u) => new URL(u, issuer).href),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'ES256',
    })),
    jwks: { keys: [keys.signing] },
    cookies: { keys: [...keys.cookies] },
    pkce: { required: () => true },
    // A browser client (no secret) may call the token endpoint from its redirect URIs' origins only.
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    responseTypes: ['code'],
    scopes: ['openid', 'profile', 'identity', 'organisation'],
    claims: {
      acr: null,
      auth_time: null,
      amr: null,
      openid: ['sub'],
      profile: ['name'],
      identity: ['id_number'],
      organisation: ['org'],
    },
    acrValues: Object.keys(DEFAULT_ACR_VALUES),
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    ttl: { AccessToken: ttl, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    async findAccount(_ctx, sub) {
      const applicant = bySubject.get(sub);
      if (!applicant) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...identityClaims(applicant) };
        },
      };
    },
    /** The API needs the verified identity in the access token itself (RFC 9068 §2.2.3.1). */
    async extraTokenClaims(ctx, token) {
      if (token.kind !== 'AccessToken' || !('accountId' in token) || typeof token.accountId !== 'string')
        return undefined;
      const applicant = bySubject.get(token.accountId);
      const code = ctx.oidc.entities.AuthorizationCode;
      if (!applicant || !code) return undefined;
      return {
        acr: code.acr,
        amr: code.amr,
        auth_time: code.authTime,
        ...identityClaims(applicant),
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(
        '出错了',
        `${out.error}${out.error_description ? `：${out.error_description}` : ''}`,
      );
    },
  };

  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    action: string | undefined,
  ) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return reply(res, 400, errorPage('出错了', '登录会话与页面不符，请重新开始。'));
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    const clientName = client?.clientName ?? clientId;
    const { name: prompt } = details.prompt;

    if (action === 'abort')
      return provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: '用户取消了登录',
      });

    if (prompt === 'login') {
      if (req.method === 'POST' && action === 'login') {
        const form = await readForm(req);
        const applicant = DEMO_APPLICANTS.find((a) => a.id === form.get('applicant'));
        const method = form.get('method') === '3' ? 3 : 2;
        if (!applicant)
          return reply(
            res,
            400,
            loginPage({
              uid,
              clientName,
              applicants: DEMO_APPLICANTS,
              wantsFace: method === 3,
              error: '请选择一个申请人。',
            }),
          );
        const assurance = Math.max(applicant.assurance, method) as AssuranceLevel;
        return provider.interactionFinished(
          req,
          res,
          {
            login: {
              accountId: subjectOf(city, applicant),
              acr: acrFor(assurance),
              amr: assurance >= 3 ? ['face'] : ['pwd', 'sms'],
              remember: false,
            },
          },
          { mergeWithLastSubmission: false },
        );
      }
      const acrValues = String(details.params.acr_values ?? '').split(' ');
      return reply(
        res,
        200,
        loginPage({ uid, clientName, applicants: DEMO_APPLICANTS, wantsFace: acrValues.includes(acrFor(3)) }),
      );
    }

    if (prompt === 'consent') {
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const confirmed = firstParty.has(clientId) || (req.method === 'POST' && action === 'confirm');
      if (!confirmed) {
        const account = details.session?.accountId ? bySubject.get(details.session.accountId) : undefined;
        const claims = (missingOIDCScope ?? []).map((s) => CLAIM_LABELS[s] ?? s);
        if (missingResourceScopes) claims.push('以您的身份使用一件事一次办接口');
        return reply(
          res,
          200,
          consentPage({ uid, clientName, applicantName: account?.person.name ?? '', claims }),
        );
      }
      const accountId = details.session?.accountId;
      if (!accountId) return reply(res, 400, errorPage('出错了', '请先登录。'));
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant) return reply(res, 400, errorPage('出错了', '授权已失效，请重新登录。'));
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      return provider.interactionFinished(
        req,
        res,
        { consent: details.grantId ? {} : { grantId } },
        { mergeWithLastSubmission: true },
      );
    }
    return reply(res, 400, errorPage('出错了', `不支持的交互：${prompt}`));
  }

  handle = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    options.onRequest?.(req.method ?? 'GET', url.pathname);
    // No keep-alive: a client's pooled connection must not outlive a restart of the provider.
    res.shouldKeepAlive = false;
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/.exec(url.pathname);
    if (m) {
      interaction(req, res, m[1]!, m[2]).catch((e: unknown) => {
        const expired = e instanceof errors.SessionNotFound;
        if (!res.headersSent)
          reply(
            res,
            expired ? 400 : 500,
            errorPage('出错了', expired ? '登录会话已过期，请回到门户重新登录。' : '身份提供方内部错误。'),
          );
        if (!expired)
          process.stderr.write(`identity provider: ${e instanceof Error ? e.stack : String(e)}\n`);
      });
      return;
    }
    if (url.pathname === SIGNED_IN_PATH && req.method === 'GET')
      return reply(res, 200, signedInPage(url.searchParams));
    callback(req, res);
  };

  const verification: IdentityConfig = {
    issuer,
    audience,
    jwksUrl: `${issuer}/jwks`,
    minAssurance: 2,
    maxTokenAgeSeconds: Math.max(ttl, 60),
    clockToleranceSeconds: 30,
    tokenType: 'at+jwt',
    requiredScope: API_SCOPE,
    acrValues: DEFAULT_ACR_VALUES,
    claimNames: { name: 'name', idNumber: 'id_number', organisation: 'org', assurance: 'acr' },
  };

  return {
    issuer,
    jwksUri: verification.jwksUrl,
    audience,
    portalClientId: PORTAL_CLIENT_ID,
    redirectUri,
    applicants: DEMO_APPLICANTS,
    verification,
    async tokenFor(applicantId, tokenOptions = {}) {
      const tokens = await signInWithPkce({
        issuer,
        clientId: PORTAL_CLIENT_ID,
        redirectUri,
        resource: audience,
        applicantId,
        ...(tokenOptions.assurance ? { assurance: tokenOptions.assurance } : {}),
      });
      return tokens.accessToken;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** The claims of an account: the person's name and verified ID number, and the organisation they act for. */
export function identityClaims(applicant: DemoApplicant): Record<string, unknown> {
  return {
    name: applicant.person.name,
    id_number: applicant.person.idNumber,
    ...(applicant.organisation ? { org: { ...applicant.organisation } } : {}),
  };
}
