/**
 * A city is data, not code: `cdk deploy -c city=<id>` picks cities/<id>/catalog.json and
 * cities/<id>/identity-provider.json (its 统一身份认证: issuer, audience, JWKS URL, minimum
 * assurance…), which are validated here with the same zod schemas the Lambdas use at init — a
 * broken catalog or provider setting fails the synth, not the first request after a deploy.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalog } from '../adapters/catalog/catalog-parse.ts';
import { type IdentityConfig, identityEnv, parseIdentityConfig } from '../adapters/config.ts';
import { citiesDir as defaultCitiesDir } from './paths.ts';

export interface CityConfig {
  /** The directory name under cities/, also the catalog's city.id. */
  readonly cityId: string;
  /** The city's display name, from its catalog. */
  readonly cityName: string;
  /** Absolute path of the validated catalog; it is shipped beside every Lambda bundle. */
  readonly catalogFile: string;
  /** AWS region to pin the stack to (`-c region=cn-north-1`); undefined = environment-agnostic. */
  readonly region?: string;
  /** Keep the table, the buckets and their KMS key when the stack is deleted (default true). */
  readonly retainData: boolean;
  /**
   * The city's identity provider, from cities/<id>/identity-provider.json: handed as `IDP_*`
   * variables to the function that verifies applicants' tokens (the authorizer).
   */
  readonly identityProvider: IdentityConfig;
}

export interface CityConfigOptions {
  /** Defaults to <repo>/cities; tests point it at a fixture. */
  readonly citiesDir?: string;
  /** Raw context value (`-c region=...`). */
  readonly region?: unknown;
  /** Raw context value: `-c retainData=false` for throw-away stacks (LocalStack, previews). */
  readonly retainData?: unknown;
}

/** Directory names under cities/ that hold a catalog.json. */
export function availableCities(dir: string = defaultCitiesDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'catalog.json')))
    .map((d) => d.name)
    .sort();
}

function parseRetainData(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context retainData must be true or false (got ${JSON.stringify(value)}).`);
}

function parseRegion(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && /^[a-z]{2}(-[a-z]+)+-\d$/.test(value)) return value;
  throw new Error(`Context region must be an AWS region such as cn-north-1 (got ${JSON.stringify(value)}).`);
}

/**
 * The settings of cities/<id>/identity-provider.json, by the names of adapters/config.ts's `IDP_*`
 * variables (the file says `issuer`, the Lambda reads `IDP_ISSUER`), so both are checked by one schema.
 */
const IDENTITY_FILE_FIELDS = {
  issuer: 'IDP_ISSUER',
  audience: 'IDP_AUDIENCE',
  jwksUrl: 'IDP_JWKS_URL',
  minAssurance: 'IDP_MIN_ASSURANCE',
  maxTokenAgeSeconds: 'IDP_MAX_TOKEN_AGE_SECONDS',
  clockToleranceSeconds: 'IDP_CLOCK_TOLERANCE_SECONDS',
  requiredScope: 'IDP_REQUIRED_SCOPE',
  tokenType: 'IDP_TOKEN_TYPE',
  acrValues: 'IDP_ACR_VALUES',
  claimNames: 'IDP_CLAIM_NAMES',
} as const;

/** Reads and checks a city's identity-provider.json (see docs/identity.md, "Plugging in a real provider"). */
export function loadIdentityProvider(file: string): IdentityConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not readable JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${file} must be a JSON object.`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('$')) continue; // $comment, $schema
    const name = IDENTITY_FILE_FIELDS[key as keyof typeof IDENTITY_FILE_FIELDS];
    if (!name)
      throw new Error(
        `${file}: unknown setting "${key}" (known: ${Object.keys(IDENTITY_FILE_FIELDS).join(', ')}).`,
      );
    env[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  try {
    return parseIdentityConfig(env);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/** The variables the authorizer gets from the city's identity provider settings. */
export const identityProviderEnvironment = (config: CityConfig): Record<string, string> =>
  identityEnv(config.identityProvider);

export function loadCityConfig(cityId: string, options: CityConfigOptions = {}): CityConfig {
  const dir = options.citiesDir ?? defaultCitiesDir;
  const cities = availableCities(dir);
  if (!cities.includes(cityId)) {
    const known = cities.length ? cities.join(', ') : '(none: no cities/<id>/catalog.json yet)';
    throw new Error(`Unknown city "${cityId}". Available cities under ${dir}: ${known}. Use -c city=<id>.`);
  }
  const catalogFile = join(dir, cityId, 'catalog.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(catalogFile, 'utf8'));
  } catch (err) {
    throw new Error(`${catalogFile} is not readable JSON: ${(err as Error).message}`);
  }
  // The one reader of a catalog through its schema (what the stack also writes beside each bundle).
  const { city } = parseCatalog(raw, catalogFile);
  // The directory name becomes the stack name and CITY_ID; a catalog copied from another city
  // without changing its id would otherwise serve the wrong city's data under this name.
  if (city.id !== cityId) {
    throw new Error(`${catalogFile} declares city.id "${city.id}" but lives in cities/${cityId}/.`);
  }
  const identityFile = join(dir, cityId, 'identity-provider.json');
  if (!existsSync(identityFile))
    throw new Error(
      `${identityFile} is missing: a city needs its identity provider (issuer, audience, jwksUrl, minAssurance) to verify applicants.`,
    );
  const region = parseRegion(options.region);
  return {
    cityId,
    cityName: city.name,
    catalogFile,
    ...(region ? { region } : {}),
    retainData: parseRetainData(options.retainData),
    identityProvider: loadIdentityProvider(identityFile),
  };
}
