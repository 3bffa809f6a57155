/**
 * The whole system on this machine: DynamoDB Local (Java), s3rver, the local Step Functions
 * runtime (behind an AWS-compatible endpoint) and the dev server calling the real handlers.
 * Used by `npm start` and by the test suite's globalSetup, so tests run what users run.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { identityEnv } from '#adapters/config.ts';
import { AUTHORIZER_CACHE_SECONDS } from '#adapters/http/route.ts';
import { scheduledFunctions } from '#functions/routes.ts';
import { startDevServer } from './dev-server.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './emulators/dynamodb-local.ts';
import { type S3Local, startS3 } from './emulators/s3.ts';
import { type IdentityProvider, startIdentityProvider, WEB_CLIENT_ID } from './identity/provider.ts';
import { invokeFunction, repoRoot } from './lambda-registry.ts';
import { seedSharedData } from './setup/seed-shared-data.ts';
import { ensureTable } from './setup/tables.ts';
import { LOCAL_REGION, loadCaseFlowDefinition } from './state-machines.ts';
import { startStepFunctionsEndpoint } from './stepfunctions/http-endpoint.ts';
import { persistExecutions } from './stepfunctions/persistence.ts';
import { LocalStepFunctions } from './stepfunctions/runtime.ts';
import { serveWeb, type WebConfig } from './web-assets.ts';
import { startWebhookDispatcher } from './webhook-dispatcher.ts';

export interface LocalStackOptions {
  city?: string;
  port?: number;
  /** Keep DynamoDB and S3 data in this folder between runs (`npm start -- --persist`). */
  persistDir?: string;
  progress?: (message: string) => void;
  onRequest?: (line: string) => void;
  /**
   * How long the dev server keeps an authorizer answer per credential, as API Gateway does (its
   * results cache: revocations take effect within it). @default AUTHORIZER_CACHE_SECONDS env, else 300 s
   */
  authorizerCacheMs?: number;
}

export interface LocalStack {
  readonly baseUrl: string;
  /** The reference web apps (same origin as the API): portal, `/workbench`, `/supervision`. */
  readonly webUrl: string;
  readonly city: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stepFunctions: LocalStepFunctions;
  readonly stateMachineArn: string;
  /** The city's identity provider (统一身份认证), in this process: tokens for the demo applicants. */
  readonly identityProvider: IdentityProvider;
  /** Runs a scheduled function now (tests; the timers run them periodically). */
  runScheduled(name: string): Promise<unknown>;
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const city = options.city ?? 'changzhou';
  const progress = options.progress ?? (() => undefined);
  const t0 = Date.now();
  const step = (m: string) => progress(`${m} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };

  try {
    const scratch = options.persistDir ?? mkdtempSync(join(tmpdir(), 'yijianshi-'));
    if (!options.persistDir) stops.push(async () => rmSync(scratch, { recursive: true, force: true }));
    mkdirSync(scratch, { recursive: true });
    const tableName = `yijianshi-${city}`;
    const bucketName = `yijianshi-${city}-files`;

    progress('starting DynamoDB Local (Java) and s3rver…');
    const [ddbResult, s3Result] = await Promise.allSettled([
      startDynamoDbLocal(options.persistDir ? { persistDir: join(scratch, 'dynamodb') } : {}),
      startS3({ directory: join(scratch, 's3'), bucket: bucketName }),
    ]);
    if (ddbResult.status === 'fulfilled') stops.push(() => ddbResult.value.stop());
    if (s3Result.status === 'fulfilled') stops.push(() => s3Result.value.stop());
    if (ddbResult.status === 'rejected') throw ddbResult.reason;
    if (s3Result.status === 'rejected') throw s3Result.reason;
    const ddb: DynamoDbLocal = ddbResult.value;
    const s3: S3Local = s3Result.value;
    step(`DynamoDB Local at ${ddb.endpoint}, s3rver at ${s3.endpoint}`);

    // The dev server listens first: its origin is the web apps' too (local/web-assets.ts), and the
    // identity provider must know the web portal's sign-in callback on it. It calls a handler only
    // when asked, and nobody knows its URL before this function returns.
    let webConfig: WebConfig | undefined;
    const authorizerCacheMs =
      options.authorizerCacheMs ??
      Number(process.env.AUTHORIZER_CACHE_SECONDS ?? AUTHORIZER_CACHE_SECONDS) * 1000;
    const server = await startDevServer({
      authorize: authorizeLocally,
      authorizerCacheMs,
      serveWeb: (req, res, pathname) => serveWeb(req, res, pathname, () => webConfig),
      // Closed (503 + Retry-After) until the whole stack is up: a client retrying against a kept
      // port (--persist) must not reach a handler before its environment is complete.
      startClosed: true,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    });
    stops.push(() => server.close());

    // The city's 统一身份认证: a real OpenID provider; the handlers verify its tokens by its JWKS,
    // as they would any provider's (IDP_* configuration only).
    // With --persist the provider keeps its port too: its issuer URL is in every token handed out,
    // so tokens signed before a restart stay valid after it (as its keys do).
    const portFile = options.persistDir ? join(scratch, 'identity-provider.port') : undefined;
    const savedPort = portFile && existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : undefined;
    const startProvider = (port?: number) =>
      startIdentityProvider({
        city,
        ...(options.persistDir ? { dataDir: scratch } : {}),
        ...(port ? { port } : {}),
        webOrigin: server.url,
      });
    const identityProvider = await startProvider(savedPort).catch((err: NodeJS.ErrnoException) => {
      if (savedPort && err.code === 'EADDRINUSE') return startProvider(); // taken meanwhile: a new issuer
      throw err;
    });
    if (portFile) writeFileSync(portFile, new URL(identityProvider.issuer).port, { mode: 0o600 });
    stops.push(() => identityProvider.stop());
    step(`identity provider at ${identityProvider.issuer}`);

    // The handlers read their configuration from the environment, exactly as in Lambda.
    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      TABLE_NAME: tableName,
      BUCKET_NAME: bucketName,
      CITY_ID: city,
      CATALOG_FILE: join(repoRoot, 'cities', city, 'catalog.json'),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
      POWERTOOLS_SERVICE_NAME: 'yijianshi',
      AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
      TOKEN_SECRET: localTokenSecret(options.persistDir ? scratch : undefined),
      IDENTIFIER_SECRET: localSecret(scratch, 'identifier-secret'),
      // Short enough to see locally; tests shorten it further (test/support/global-setup.ts).
      DEPARTMENT_ACCESS_AFTER_CLOSE: process.env.DEPARTMENT_ACCESS_AFTER_CLOSE ?? '30d',
      ...identityEnv(identityProvider.verification),
      LOCAL_SIGNING_KEY: localSigningKey(options.persistDir ? scratch : undefined),
      // Webhooks: receivers on this machine (http, 127.0.0.1) are allowed here only; retries are
      // fast (50 ms, 100 ms … capped at 0.8 s) so the retry path shows in seconds.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_BASE_MS: process.env.WEBHOOK_BACKOFF_BASE_MS ?? '50',
      WEBHOOK_BACKOFF_CAP_MS: process.env.WEBHOOK_BACKOFF_CAP_MS ?? '800',
      // Built from the route specs, as the stack does at deploy, and served by get-openapi.
      OPENAPI_FILE: await writeOpenApiDocument(scratch),
    };
    Object.assign(process.env, env);

    const client = new DynamoDBClient({ endpoint: ddb.endpoint });
    await ensureTable(client, tableName);
    await seedSharedData(client, tableName);
    client.destroy();
    step(`table ${tableName} ready`);

    // Validate the catalog now, so a broken catalog fails the start, not the first request.
    // (Read straight from the file: the handlers' own config must not be cached before the whole
    // environment — state machine ARN included — is in place, as it is in Lambda.)
    const { loadCatalogFile } = await import('#adapters/catalog/file-catalog.ts');
    const index = loadCatalogFile(env.CATALOG_FILE!);
    step(
      `catalog ${index.catalog.city.name} ${index.catalog.version}: ${index.catalog.bundles.length} bundles`,
    );

    const stepFunctions = new LocalStepFunctions({
      region: LOCAL_REGION,
      invokeFunction: (name: string, payload: unknown) => invokeFunction(`${name}.task.ts`, payload),
    });
    stops.push(async () => stepFunctions.close());
    const { stateMachineArn } = await stepFunctions.createStateMachine({
      name: `yijianshi-${city}-case-flow`,
      definition: loadCaseFlowDefinition({ TableName: tableName, BucketName: bucketName }),
    });
    const persisted = options.persistDir
      ? persistExecutions(stepFunctions, join(scratch, 'executions.json'))
      : undefined;
    const sfn = await startStepFunctionsEndpoint(stepFunctions, { port: 0 });
    stops.push(() => sfn.close());
    env.AWS_ENDPOINT_URL_SFN = sfn.url;
    env.STATE_MACHINE_ARN = stateMachineArn;
    Object.assign(process.env, env);
    step(`Step Functions runtime at ${sfn.url}`);
    if (persisted) {
      const n = await persisted.resume();
      if (n) step(`resumed ${n} running execution${n === 1 ? '' : 's'} of the last run`);
    }

    env.AUTHORIZER_CACHE_SECONDS = String(authorizerCacheMs / 1000);
    step(`API at ${server.url}`);

    // Webhooks (DynamoDB Streams → SQS → Lambda in AWS): the table's stream read as the event
    // source mapping reads it, invoking the same enqueue function, whose queue is local.
    env.PUBLIC_BASE_URL = server.url;
    process.env.PUBLIC_BASE_URL = server.url;
    const webhooks = await startWebhookDispatcher({
      dynamoEndpoint: ddb.endpoint,
      region: LOCAL_REGION,
      tableName,
      stateDir: scratch,
    });
    stops.push(() => webhooks.stop());
    Object.assign(env, webhooks.env);

    // Scheduled functions (EventBridge rules in AWS) run on timers here, calling the same files.
    const runScheduled = (name: string) =>
      invokeFunction(`${name}.scheduled.ts`, { source: 'local.timer', 'detail-type': 'Scheduled Event' });
    for (const job of scheduledFunctions) {
      const every = Number(process.env.LOCAL_SCHEDULE_EVERY_MS ?? job.localEveryMs);
      const timer = setInterval(() => void runScheduled(job.name).catch(() => undefined), every);
      timer.unref();
      stops.push(async () => clearInterval(timer));
    }

    webConfig = await webAppConfig(city, scratch, identityProvider, persisted !== undefined);
    step(`web apps at ${server.url} (portal), /workbench, /supervision`);
    server.open();

    return {
      baseUrl: server.url,
      webUrl: server.url,
      city,
      env,
      stepFunctions,
      stateMachineArn,
      identityProvider,
      runScheduled,
      pids: [ddb.pid],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * A secret of this city kept in `dir` (mode 0600, generated on first use): the keyed identifiers
 * of persisted data must stay the same across restarts.
 */
function localSecret(dir: string, name: string): string {
  const file = join(dir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** The department-token secret: random per run, or kept beside persisted data so tokens survive. */
function localTokenSecret(persistDir: string | undefined): string {
  if (!persistDir) return randomBytes(32).toString('hex');
  const file = join(persistDir, 'token-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/**
 * The license signing key (stand-in for the KMS key): a P-256 PKCS#8 PEM, base64. Random per run,
 * or kept beside persisted data so licenses issued earlier still verify.
 */
function localSigningKey(persistDir: string | undefined): string {
  const generate = () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
  if (!persistDir) return Buffer.from(generate()).toString('base64');
  const file = join(persistDir, 'license-signing-key.pem');
  if (!existsSync(file)) writeFileSync(file, generate(), { mode: 0o600 });
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8')).toString('base64');
}

/** Runs the authorizer file exactly as API Gateway would, before the handler. */
async function authorizeLocally(event: APIGatewayProxyEvent): Promise<Record<string, string> | null> {
  const authEvent = {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${LOCAL_REGION}:000000000000:local/$default/${event.httpMethod}${event.path}`,
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers,
    multiValueHeaders: event.multiValueHeaders,
    pathParameters: event.pathParameters,
    queryStringParameters: event.queryStringParameters,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    stageVariables: null,
    requestContext: event.requestContext,
  } as unknown as APIGatewayRequestAuthorizerEvent;
  let result: APIGatewayAuthorizerResult;
  try {
    result = (await invokeFunction(
      'authorize-caller.authorizer.ts',
      authEvent,
    )) as APIGatewayAuthorizerResult;
  } catch (err) {
    // API Gateway's rule: the exact message "Unauthorized" is a refusal (401); any other error is
    // the authorizer failing (thrown on, so the dev server answers as the stack's Gateway Response).
    if ((err as Error).message === 'Unauthorized') return null;
    throw err;
  }
  const allowed = result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
  return allowed ? ((result.context ?? {}) as Record<string, string>) : null;
}

/** The OpenAPI document of every route (functions/*.handler.ts specs), as a file in `dir`. */
async function writeOpenApiDocument(dir: string): Promise<string> {
  const [{ buildOpenApiDocument }, { httpRoutes }] = await Promise.all([
    import('#adapters/http/openapi.ts'),
    import('#functions/routes.ts'),
  ]);
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(buildOpenApiDocument(httpRoutes)));
  return file;
}

/**
 * The web apps' runtime configuration (`/config.json`): the web portal's API key — registered now,
 * or the one kept beside persisted data — the identity provider, and in local mode the demo
 * department tokens for the workbench's quick sign-in. A browser portal's key is public by nature.
 */
async function webAppConfig(
  city: string,
  scratch: string,
  idp: IdentityProvider,
  persisted: boolean,
): Promise<WebConfig> {
  const [
    { registerPortalKey, portalForApiKey },
    { newApiKey, SUPERVISOR_ID, signDepartmentToken },
    { catalog },
  ] = await Promise.all([
    import('#adapters/dynamodb/credential-store.ts'),
    import('#core/credentials/tokens.ts'),
    import('#adapters/catalog/file-catalog.ts'),
  ]);
  const keyFile = join(scratch, 'web-portal-key');
  const portalKey = persisted && existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : newApiKey();
  if (persisted) writeFileSync(keyFile, portalKey, { mode: 0o600 });
  // Restarted with --persist, the kept key is registered already (a second registration of the
  // same key is refused by its condition).
  if ((await portalForApiKey(portalKey)) !== WEB_PORTAL_ID)
    await registerPortalKey(WEB_PORTAL_ID, '网上办事（参考门户 web/）', portalKey);
  const secret = process.env.TOKEN_SECRET!;
  const departments = [...catalog().catalog.departments, { id: SUPERVISOR_ID, name: '电子监察' }];
  return {
    apiBase: '',
    portalKey,
    oidc: { issuer: idp.issuer, clientId: WEB_CLIENT_ID, audience: idp.audience },
    mode: 'local',
    demoDepartments: await Promise.all(
      departments.map(async (d) => ({
        id: d.id,
        name: d.name,
        token: (await signDepartmentToken(secret, { departmentId: d.id, city, ttlSeconds: 30 * 24 * 3600 }))
          .token,
      })),
    ),
  };
}

/** The portal id of the reference web portal (its cases and access-log entries name it). */
export const WEB_PORTAL_ID = 'portal-web';
