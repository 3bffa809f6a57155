/**
 * Runtime configuration from the environment: ONE module, in sections, each parsed once by its
 * zod schema at first use — the storage core (`config`), the HTTP edge (`edgeConfig`), webhook
 * delivery (`webhookConfig`) and the identity provider (`identityConfig`). A function reads only
 * the sections it uses, so a route touching no storage needs no storage configuration. A missing
 * or malformed variable fails the Lambda (or the local server) at init with a clear message, not
 * at the first request. Dev defaults live in local/, never here.
 */
import * as z from 'zod';
import { type AssuranceLevel, DEFAULT_ACR_VALUES } from '#core/identity/applicant.ts';
import type { RetryPolicy } from '#core/webhooks/backoff.ts';

/** Parses `env` by `schema`, or throws one error listing every bad variable. */
function parseEnv<S extends z.ZodType>(
  schema: S,
  what: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid ${what}:\n${lines}`);
  }
  return parsed.data;
}

// ───────────────────────────── storage core ─────────────────────────────

const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  CITY_ID: z.string().min(1),
  /** The city's catalog JSON, shipped beside the bundle. */
  CATALOG_FILE: z.string().min(1),
  STATE_MACHINE_ARN: z.string().optional(),
  /** HMAC secret for department tokens (the stack injects it from its secret store). */
  TOKEN_SECRET: z.string().min(32).optional(),
  /** License signing key in KMS (ECC_NIST_P256, SIGN_VERIFY); a key ARN, not an alias: it is recorded on each license. */
  SIGNING_KEY_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'a KMS key ARN (not an alias)')
    .optional(),
  /**
   * The city's secret for keyed identifiers (HMAC of ID numbers, credit codes… in storage keys).
   * Local only (local/ generates it into a 0600 file); in AWS it is fetched at run time from
   * Secrets Manager by IDENTIFIER_SECRET_ARN and never put into a Lambda's environment.
   */
  IDENTIFIER_SECRET: z.string().min(32).optional(),
  IDENTIFIER_SECRET_ARN: z.string().min(1).optional(),
  /**
   * How long after its last open task on a case closes a department still sees the applicant's
   * personal data in full (then masked): e.g. `30d`, `12h`, `2s`.
   */
  DEPARTMENT_ACCESS_AFTER_CLOSE: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30d, 12h or 2s')
    .default('30d')
    .transform((v) => {
      const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(v)!;
      const ms = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms'];
      return Number(n) * ms;
    }),
  /** Local stand-in for SIGNING_KEY_ARN: base64 of a PKCS#8 PEM P-256 private key (local/ generates it). */
  LOCAL_SIGNING_KEY: z.string().min(1).optional(),
  /** s3rver and other emulators need path-style URLs. */
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO'),
});
export type Config = z.infer<typeof EnvSchema>;

let cached: Config | undefined;

export function config(): Config {
  cached ??= parseEnv(EnvSchema, 'environment configuration');
  return cached;
}

// ───────────────────────────── HTTP edge ─────────────────────────────

const EdgeEnvSchema = z.object({
  /**
   * The OpenAPI document, built from the route specs at deploy (infra) or start (local) and
   * shipped beside the get-openapi bundle: serving it needs no schema at run time.
   */
  OPENAPI_FILE: z.string().min(1).default('/var/task/openapi.json'),
  /**
   * Hosts a proxy in front of the API (a CDN, a government gateway) may name in X-Forwarded-Host,
   * comma-separated. Links and the OpenAPI document's server follow X-Forwarded-Host only when it
   * is one of these; by default they use the host API Gateway was called at, whatever a client sends.
   */
  TRUSTED_FORWARDED_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
});
export type EdgeConfig = z.infer<typeof EdgeEnvSchema>;

let edgeCached: EdgeConfig | undefined;

/**
 * What the HTTP edge itself reads (every handler, before its use case), parsed apart from
 * config() so that a route touching no storage needs no storage configuration.
 */
export function edgeConfig(): EdgeConfig {
  edgeCached ??= parseEnv(EdgeEnvSchema, 'environment configuration');
  return edgeCached;
}

// ───────────────────────────── webhook delivery ─────────────────────────────

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const WebhookEnvSchema = z.object({
  /** Local development only (local/stack.ts): http and private/loopback hosts are accepted. */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The SQS queue of deliveries (AWS). */
  WEBHOOK_QUEUE_URL: z.string().url().optional(),
  /** The API's public base URL, for the events' links. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  WEBHOOK_MAX_ATTEMPTS: positiveInt(8).pipe(z.number().max(20)),
  WEBHOOK_BACKOFF_BASE_MS: positiveInt(1000),
  WEBHOOK_BACKOFF_CAP_MS: positiveInt(5 * 60_000),
  /** One try's whole time budget: connect, send, status line. */
  WEBHOOK_TIMEOUT_MS: positiveInt(5000).pipe(z.number().max(20_000)),
});
export type WebhookConfig = z.infer<typeof WebhookEnvSchema>;

let webhookCached: WebhookConfig | undefined;

/** What the functions that register and deliver webhooks read. */
export function webhookConfig(): WebhookConfig {
  webhookCached ??= parseEnv(WebhookEnvSchema, 'webhook configuration');
  return webhookCached;
}

export function retryPolicy(c: WebhookConfig = webhookConfig()): RetryPolicy {
  return {
    maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
    baseDelayMs: c.WEBHOOK_BACKOFF_BASE_MS,
    maxDelayMs: c.WEBHOOK_BACKOFF_CAP_MS,
  };
}

// ───────────────────────────── identity provider ─────────────────────────────
// The city's identity provider (统一身份认证). Any standards-compliant OpenID provider plugs in
// here: issuer, audience and JWKS URL, the least assurance level, and — for a provider whose
// claims are spelt differently — the claim names and `acr` values.

const level = z.union([z.literal(1), z.literal(2), z.literal(3)]);

/** Where the provider puts the applicant's claims, when not where the local provider puts them. */
export const ClaimNamesSchema = z
  .object({
    name: z.string().min(1).default('name'),
    idNumber: z.string().min(1).default('id_number'),
    /** An object `{ uscc, name, role }`: the organisation the person acts for, and as what. */
    organisation: z.string().min(1).default('org'),
    assurance: z.string().min(1).default('acr'),
  })
  .strict();
export type ClaimNames = z.infer<typeof ClaimNamesSchema>;

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

export const IdentityEnvSchema = z.object({
  /** The provider's issuer, exactly as in its tokens' `iss`. */
  IDP_ISSUER: z.url(),
  /** This API's audience: the `aud` the provider writes into access tokens for it. */
  IDP_AUDIENCE: z.string().min(1),
  /** The provider's JWKS (its discovery document's `jwks_uri`). */
  IDP_JWKS_URL: z.url({ protocol: /^https?$/ }),
  /** The least assurance any applicant-scoped call needs (routes may ask more): 1, 2 or 3. */
  IDP_MIN_ASSURANCE: z
    .enum(['1', '2', '3'])
    .default('2')
    .transform((v) => Number(v) as AssuranceLevel),
  /** Refuse tokens issued longer ago than this, whatever their `exp` says. */
  IDP_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().positive().max(86_400).default(43_200),
  IDP_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** A scope the access token must carry (space-separated `scope` claim), e.g. `applicant`; unset: not checked. */
  IDP_REQUIRED_SCOPE: z.string().regex(/^\S+$/, 'one scope value').optional(),
  /** The JOSE `typ` access tokens must carry, e.g. `at+jwt` (RFC 9068); unset: not checked. */
  IDP_TOKEN_TYPE: z.string().min(1).optional(),
  /** JSON `{ "<acr value>": 1 | 2 | 3 }`; default the urn:yijianshi:loa:<n> values. */
  IDP_ACR_VALUES: json(z.record(z.string().min(1), level)).optional(),
  /** JSON, e.g. `{ "idNumber": "custom:id_number" }` for Cognito. */
  IDP_CLAIM_NAMES: json(ClaimNamesSchema).optional(),
});

export interface IdentityConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly minAssurance: AssuranceLevel;
  readonly maxTokenAgeSeconds: number;
  readonly clockToleranceSeconds: number;
  readonly tokenType?: string;
  readonly requiredScope?: string;
  readonly acrValues: Readonly<Record<string, AssuranceLevel>>;
  readonly claimNames: ClaimNames;
}

/** Parses the identity configuration from `env`; throws listing every bad variable. */
export function parseIdentityConfig(env: Readonly<Record<string, string | undefined>>): IdentityConfig {
  const e = parseEnv(IdentityEnvSchema, 'identity provider configuration', env);
  return {
    issuer: e.IDP_ISSUER,
    audience: e.IDP_AUDIENCE,
    jwksUrl: e.IDP_JWKS_URL,
    minAssurance: e.IDP_MIN_ASSURANCE,
    maxTokenAgeSeconds: e.IDP_MAX_TOKEN_AGE_SECONDS,
    clockToleranceSeconds: e.IDP_CLOCK_TOLERANCE_SECONDS,
    ...(e.IDP_TOKEN_TYPE ? { tokenType: e.IDP_TOKEN_TYPE } : {}),
    ...(e.IDP_REQUIRED_SCOPE ? { requiredScope: e.IDP_REQUIRED_SCOPE } : {}),
    acrValues: e.IDP_ACR_VALUES ?? DEFAULT_ACR_VALUES,
    claimNames: e.IDP_CLAIM_NAMES ?? ClaimNamesSchema.parse({}),
  };
}

let identityCached: IdentityConfig | undefined;

/** The process's identity configuration, parsed at first use and kept. */
export function identityConfig(): IdentityConfig {
  identityCached ??= parseIdentityConfig(process.env);
  return identityCached;
}

/** The variables that configure `identityConfig` (for the local stack to hand its Lambdas). */
export function identityEnv(config: IdentityConfig): Record<string, string> {
  return {
    IDP_ISSUER: config.issuer,
    IDP_AUDIENCE: config.audience,
    IDP_JWKS_URL: config.jwksUrl,
    IDP_MIN_ASSURANCE: String(config.minAssurance),
    IDP_MAX_TOKEN_AGE_SECONDS: String(config.maxTokenAgeSeconds),
    IDP_CLOCK_TOLERANCE_SECONDS: String(config.clockToleranceSeconds),
    ...(config.tokenType ? { IDP_TOKEN_TYPE: config.tokenType } : {}),
    ...(config.requiredScope ? { IDP_REQUIRED_SCOPE: config.requiredScope } : {}),
    IDP_ACR_VALUES: JSON.stringify(config.acrValues),
    IDP_CLAIM_NAMES: JSON.stringify(config.claimNames),
  };
}
