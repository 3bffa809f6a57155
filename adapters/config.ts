/**
 * Runtime configuration from the environment, parsed once by one zod schema. A missing or
 * malformed variable fails the Lambda (or the local server) at init with a clear message, not at
 * the first request. Dev defaults live in local/, never here.
 */
import * as z from 'zod';

const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  CITY_ID: z.string().min(1),
  /** The city's catalog JSON, shipped beside the bundle. */
  CATALOG_FILE: z.string().min(1),
  STATE_MACHINE_ARN: z.string().optional(),
  /** HMAC secret for department tokens (the stack injects it from its secret store). */
  TOKEN_SECRET: z.string().min(32).optional(),
  /** Licence signing key in KMS (ECC_NIST_P256, SIGN_VERIFY); a key ARN, not an alias: it is recorded on each licence. */
  SIGNING_KEY_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'a KMS key ARN (not an alias)')
    .optional(),
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
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment configuration:\n${lines}`);
  }
  cached = parsed.data;
  return cached;
}

const EdgeEnvSchema = z.object({
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
  if (edgeCached) return edgeCached;
  const parsed = EdgeEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment configuration:\n${lines}`);
  }
  edgeCached = parsed.data;
  return edgeCached;
}
