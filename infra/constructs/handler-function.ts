/**
 * The one place that decides how a Lambda of this project is built and run (STYLE 26): every
 * entry file in functions/ becomes a HandlerFunction, so bundling, runtime, logging and tracing
 * cannot drift between functions.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaAliases } from '../lambda-bundling.ts';
import { acknowledge } from '../nag.ts';
import { functionsDir as defaultFunctionsDir, repoRoot } from '../paths.ts';
import { validatedCatalogFile } from '../validated-catalog.ts';

/** The role suffix of an entry file: functions/<name>.<kind>.ts (STYLE 2). */
export type FunctionKind = 'handler' | 'task' | 'authorizer' | 'scheduled' | 'stream' | 'queue';

/** Where every bundle finds the city's catalog (copied there at bundling). */
export const BUNDLED_CATALOG_FILE = '/var/task/catalog.json';

/**
 * nodejs22.x rather than the newer nodejs24.x this aws-cdk-lib also knows (Runtime.NODEJS_LATEST):
 * it is the Lambda runtime closest to the Node 20 the project is developed and tested on, and the
 * older runtime is the safer bet for the China regions a city stack may deploy to. Raising it is
 * this one line.
 */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

const TIMEOUTS: Record<FunctionKind, Duration> = {
  // API Gateway's integration timeout is 29 s; an HTTP handler that needs more than 10 s is a bug.
  handler: Duration.seconds(10),
  authorizer: Duration.seconds(10),
  // Tasks are called by the state machine, which retries them; they may do more I/O per call.
  task: Duration.seconds(30),
  // Scheduled sweeps page through open tasks.
  scheduled: Duration.seconds(60),
  // Webhooks: a stream batch fans out to SQS; a queue batch makes ≤ 10 parallel 5 s deliveries.
  stream: Duration.seconds(30),
  queue: Duration.seconds(30),
};

/**
 * ESM output needs `require` for the few CommonJS dependencies esbuild leaves as require() calls
 * (e.g. Node built-ins required from CJS code inside the AWS SDK).
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface HandlerFunctionProps {
  /** functions/<name>.<kind>.ts */
  readonly name: string;
  readonly kind: FunctionKind;
  /** The city's validated catalog; copied next to the bundle as catalog.json. */
  readonly catalogFile: string;
  /** Variables on top of the ones every function gets (CATALOG_FILE, LOG_LEVEL, ...). */
  readonly environment?: Readonly<Record<string, string>>;
  readonly description?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 s for handlers and authorizers, 30 s for tasks */
  readonly timeout?: Duration;
  /** Encrypts the function's log group (the key must allow the CloudWatch Logs service). */
  readonly logEncryptionKey?: kms.IKey;
  /** @default ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Defaults to <repo>/functions; tests may point at a fixture folder. */
  readonly functionsDir?: string;
  /** More files to ship beside the bundle: name in /var/task → source path (e.g. openapi.json). */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * false for an HTTP route that never takes an Idempotency-Key: its bundle carries no idempotency
   * store (infra/lambda-bundling.ts `lambdaAliases`). @default true
   */
  readonly takesIdempotencyKey?: boolean;
}

export class HandlerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  /** functions/<name>.<kind>.ts, absolute. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.entry = join(props.functionsDir ?? defaultFunctionsDir, `${props.name}.${props.kind}.ts`);

    // Owned here rather than left to Lambda's implicit /aws/lambda/<name> group, so retention,
    // encryption and deletion are part of the stack instead of growing forever.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      ...(props.logEncryptionKey ? { encryptionKey: props.logEncryptionKey } : {}),
    });

    // An explicit role instead of the default one with the AWSLambdaBasicExecutionRole managed
    // policy: that policy allows writing to every log group of the account, this one to its own.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.name}.${props.kind}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: this.entry,
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? TIMEOUTS[props.kind],
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      ...(props.description ? { description: props.description } : {}),
      // package.json "imports" (#core/*, #adapters/*) are resolved by esbuild from here.
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      environment: {
        ...props.environment,
        CATALOG_FILE: BUNDLED_CATALOG_FILE,
        LOG_LEVEL: 'INFO',
        POWERTOOLS_SERVICE_NAME: 'yijianshi',
        // Source maps at run time cost 20–30 % of init (bench/cold-start.ts, 2026-12-02: the
        // authorizer ready in 81.5 ms with them, 57.5 without; open-task 106 → 75), on every cold
        // start, for readable stack traces. Off by default: the .map files are deployed beside the
        // bundles to decode a trace; `cdk deploy -c sourceMaps=true` turns them on.
        ...(sourceMapsAtRunTime(scope) ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        // Prefer packages' ESM builds: better tree shaking, and no CJS/ESM double loading.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT,
        // The SDK version is the one in package-lock.json and tested locally, not whatever the
        // runtime happens to ship; and bundled, it is tree-shaken per function.
        bundleAwsSDK: true,
        externalModules: [],
        // Lambda's credentials are in the environment: the SDK's whole default chain stays out;
        // so do the event-stream codec, and the idempotency store of a route that takes no key.
        esbuildArgs: Object.fromEntries(
          Object.entries(
            lambdaAliases(
              props.takesIdempotencyKey === undefined
                ? {}
                : { takesIdempotencyKey: props.takesIdempotencyKey },
            ),
          ).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The catalog travels with the code it was validated against (one deploy = one catalog
          // version), validated and normalised here (infra/validated-catalog.ts); the adapters
          // read it from CATALOG_FILE once per container, as it is.
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp ${shellQuote(validatedCatalogFile(props.catalogFile))} ${shellQuote(join(outputDir, 'catalog.json'))}`,
            // 通办: the city's places travel beside its catalog (adapters/catalog/places.ts).
            ...(existsSync(join(dirname(props.catalogFile), 'places.json'))
              ? [
                  `cp ${shellQuote(join(dirname(props.catalogFile), 'places.json'))} ${shellQuote(join(outputDir, 'places.json'))}`,
                ]
              : []),
            ...Object.entries(props.files ?? {}).map(
              ([name, source]) => `cp ${shellQuote(source)} ${shellQuote(join(outputDir, name))}`,
            ),
          ],
        },
      },
    });

    acknowledge(
      this,
      'L1',
      'nodejs22.x on purpose (see LAMBDA_RUNTIME): closest to the Node 20 used locally; nodejs24.x is a one-line change once confirmed in every target region, aws-cn included.',
    );
    acknowledge(
      this,
      'IAM5[Resource::*]',
      'Added by active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    );
  }

  /** The function's ARN, for grants and definition substitutions. */
  get functionArn(): string {
    return this.function.functionArn;
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Whether functions resolve stack traces through their source maps (context `sourceMaps`, default off). */
export function sourceMapsAtRunTime(scope: Construct): boolean {
  const v: unknown = scope.node.tryGetContext('sourceMaps');
  return v === true || v === 'true';
}
