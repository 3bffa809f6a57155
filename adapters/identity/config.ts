/**
 * The city's identity provider (统一身份认证), from the environment, parsed once by one zod schema
 * like adapters/config.ts (into which this schema is to merge when the routes are wired). Any
 * standards-compliant OpenID provider plugs in here: issuer, audience and JWKS URL, the least
 * assurance level, and — for a provider whose claims are spelt differently — the claim names and
 * `acr` values. Dev defaults live in local/, never here.
 */
import * as z from 'zod';
import { type AssuranceLevel, DEFAULT_ACR_VALUES } from '#core/identity/applicant.ts';

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
  const parsed = IdentityEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid identity provider configuration:\n${lines}`);
  }
  const e = parsed.data;
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

let cached: IdentityConfig | undefined;

/** The process's identity configuration, parsed at first use and kept. */
export function identityConfig(): IdentityConfig {
  cached ??= parseIdentityConfig(process.env);
  return cached;
}

/** The variables that configure `config` (for the local stack to hand its Lambdas). */
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
