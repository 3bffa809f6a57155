/**
 * One city's deployment of 一件事一次办: HTTP API → Lambda → DynamoDB (single table) and S3
 * (materials, licenses) → Step Functions (one Standard execution per case).
 *
 * Everything repeated is generated from data: one Lambda and one API method per row of
 * functions/routes.ts, one task function per row of taskFunctions, the ASL loaded from
 * statemachines/ with its ${...} placeholders filled from those same rows. Adding a route is a
 * row in the table and a file in functions/, never an edit here.
 *
 * No ARN is written by hand: a city may deploy to aws-cn, so every ARN comes from a token
 * (Aws.PARTITION, formatArn, resource attributes).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  Annotations,
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TABLE_SHAPE } from '../adapters/dynamodb/table.ts';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_RESPONSE_HEADERS } from '../adapters/http/cors.ts';
import {
  AUTHORIZER_UNAVAILABLE,
  GATEWAY_PROBLEMS,
  type GatewayProblem,
  gatewayProblemBody,
} from '../adapters/http/gateway-responses.ts';
import { routeNeeds, takesIdempotencyKey } from '../adapters/http/handler.ts';
import { buildOpenApiDocument } from '../adapters/http/openapi.ts';
import {
  AUTHORIZER_CACHE_SECONDS,
  IDENTITY_SOURCES,
  type Needs,
  type WorkflowAccess,
} from '../adapters/http/route.ts';
import { FILES_BUCKET_CORS } from '../adapters/s3/cors.ts';
import {
  type CallerKind,
  eventFunctions,
  type HttpRoute,
  httpRoutes,
  pascal,
  scheduledFunctions,
  substitutionKey,
  TASK_NEEDS,
  type TaskFunction,
  taskFunctions,
} from '../functions/routes.ts';
import { type CityConfig, identityProviderEnvironment } from './city-config.ts';
import { HandlerFunction } from './constructs/handler-function.ts';
import { WebApp } from './constructs/web-app.ts';
import { acknowledge, iam5Action, iam5Resource } from './nag.ts';
import { caseFlowAslPath, functionsDir as defaultFunctionsDir, repoRoot } from './paths.ts';

/** functions/<AUTHORIZER_NAME>.authorizer.ts verifies portal API keys and department tokens. */
export const AUTHORIZER_NAME = 'authorize-caller';

/**
 * The DynamoDB actions of `needs.table`: what the adapters send (Get, BatchGet, Query; Put,
 * Update, BatchWrite of Puts — the access log's entries of one read — and transactions of
 * Put/Update/Delete/ConditionCheck items). The IAM proof fails the test run if a function sends
 * anything else.
 */
const TABLE_ACTIONS: Record<'read' | 'write', readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
    // Puts the writers hold already, in one request (adapters/dynamodb/privacy-store.ts `recordAccesses`).
    'dynamodb:BatchWriteItem',
  ],
};

/** The authorizer's AWS access (adapters/http/route.ts `Needs`): it reads credentials, writes nothing. */
const AUTHORIZER_NEEDS: Needs = { table: 'read' };

export interface CityStackProps extends StackProps {
  readonly config: CityConfig;
  /** @default httpRoutes from functions/routes.ts */
  readonly routes?: readonly HttpRoute[];
  /** @default taskFunctions from functions/routes.ts */
  readonly tasks?: readonly TaskFunction[];
  /** @default <repo>/functions */
  readonly functionsDir?: string;
  /** The built web apps (infra/constructs/web-app.ts). @default <repo>/web/dist */
  readonly webDist?: string;
}

export interface PortalLimits {
  /** Steady requests per second. @default 20 */
  readonly rateLimit?: number;
  /** @default 2 × rateLimit */
  readonly burstLimit?: number;
  /** Requests per day. @default 50 000 */
  readonly dailyQuota?: number;
}

export class CityStack extends Stack {
  readonly config: CityConfig;
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  readonly api: apigw.RestApi;
  /** The web apps and the API on one CloudFront origin (output WebUrl). */
  readonly web: WebApp;
  /** Absolute path of the ASL file deployed: the one local/state-machines.ts runs. */
  readonly caseFlowAslPath: string = caseFlowAslPath;
  /** One per row of httpRoutes, keyed by name. */
  readonly httpFunctions = new Map<string, HandlerFunction>();
  /** One per row of taskFunctions, keyed by name. */
  readonly taskFunctions = new Map<string, HandlerFunction>();
  /** One per row of eventFunctions (webhook delivery), keyed by name. */
  readonly eventFunctions = new Map<string, HandlerFunction>();
  /** Webhook deliveries: one message per (event, webhook); backoff is its visibility timeout. */
  webhookQueue?: sqs.Queue;

  private readonly dataKey: kms.Key;
  /** The asymmetric key that signs licenses. */
  readonly signingKey: kms.Key;
  private readonly logsKey: kms.Key;
  private readonly functionsDir: string;
  private readonly sharedEnvironment: Record<string, string>;
  private readonly authorizers = new Map<Exclude<CallerKind, 'public'>, apigw.IAuthorizer>();
  private authorizerFunction?: HandlerFunction;
  private tokenSecret?: secretsmanager.Secret;
  /** The city's secret for keyed identifiers in storage keys (HMAC of ID numbers, credit codes…). */
  private readonly identifierSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: CityStackProps) {
    super(scope, id, {
      description: `一件事一次办 (yijianshi) — ${props.config.cityName} (${props.config.cityId})`,
      ...props,
    });
    const { config } = props;
    this.config = config;
    this.functionsDir = props.functionsDir ?? defaultFunctionsDir;
    const routes = props.routes ?? httpRoutes;
    const tasks = props.tasks ?? taskFunctions;
    // Every missing entry file at once, named after its row, rather than NodejsFunction's first.
    const missing = [
      ...routes.map((r) => `${r.name}.handler.ts`),
      ...tasks.map((t) => `${t.name}.task.ts`),
    ].filter((file) => !existsSync(join(this.functionsDir, file)));
    if (missing.length) {
      throw new Error(
        `functions/routes.ts lists functions whose entry file is missing in ${this.functionsDir}: ${missing.join(', ')}.`,
      );
    }
    Tags.of(this).add('project', 'yijianshi');
    Tags.of(this).add('city', config.cityId);

    // Stateful resources outlive the stack unless the city is explicitly throw-away; the key goes
    // with them, since retained data whose key was deleted is unreadable.
    const dataRemoval = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.dataKey = new kms.Key(this, 'DataKey', {
      description: `yijianshi ${config.cityId}: cases, materials and licenses (DynamoDB, S3)`,
      enableKeyRotation: true,
      removalPolicy: dataRemoval,
    });
    this.logsKey = this.createLogsKey(dataRemoval);

    this.table = this.createTable(dataRemoval);
    this.bucket = this.createBuckets(dataRemoval);
    // Fetched by the functions at run time (adapters/identity/identifier-secret.ts): only its ARN
    // is in their environment. Rotating it would re-key every stored identifier: by hand, never.
    this.identifierSecret = new secretsmanager.Secret(this, 'IdentifierSecret', {
      description: `yijianshi ${config.cityId}: HMAC key of identifiers in storage keys`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: dataRemoval,
    });
    acknowledge(
      this.identifierSecret,
      'SMG4',
      'Rotating the identifier key re-keys every stored identifier (access log, case index): a migration by hand, not a schedule.',
    );

    // 电子印章: licenses are signed with an asymmetric KMS key the stack owns (ECDSA P-256, the
    // algorithm the local signer uses too). Asymmetric keys cannot rotate; a new key gets a new
    // keyId and licenses signed with the old one keep verifying (the signer looks keys up by id).
    this.signingKey = new kms.Key(this, 'LicenseSigningKey', {
      description: `yijianshi ${config.cityId}: signs e-licenses (电子证照)`,
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: dataRemoval,
    });

    this.sharedEnvironment = {
      TABLE_NAME: this.table.tableName,
      BUCKET_NAME: this.bucket.bucketName,
      CITY_ID: config.cityId,
      SIGNING_KEY_ARN: this.signingKey.keyArn,
      IDENTIFIER_SECRET_ARN: this.identifierSecret.secretArn,
    };

    for (const task of tasks) {
      const fn = this.createFunction('Tasks', task.name, 'task', this.sharedEnvironment, `task ${task.name}`);
      this.taskFunctions.set(task.name, fn);
    }

    this.stateMachine = this.createStateMachine(dataRemoval);
    // Least privilege for tasks too: their row's `needs` (functions/routes.ts), granted once the
    // state machine exists (a callback names it).
    for (const task of tasks as readonly TaskFunction[])
      this.grantNeeds(this.taskFunctions.get(task.name)!, task.needs ?? TASK_NEEDS);

    const httpEnvironment = {
      ...this.sharedEnvironment,
      STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
    };
    // The OpenAPI document is built here, from the same specs as the routes, and shipped beside
    // the function that serves it (it carries no schema itself).
    const openApiFile = routes.some((r) => r.name === 'get-openapi')
      ? writeOpenApiDocument(routes)
      : undefined;
    for (const route of routes) {
      const fn = this.createFunction(
        'Http',
        route.name,
        'handler',
        httpEnvironment,
        `${route.method} ${route.path}`,
        route.name === 'get-openapi' && openApiFile ? { 'openapi.json': openApiFile } : undefined,
        route.timeoutSeconds,
        // A route without Idempotency-Keys bundles no idempotency store (infra/lambda-bundling.ts).
        takesIdempotencyKey(route),
      );
      // Least privilege: each route gets exactly what its spec's `needs` names, nothing by default
      // (and the table writes of its Idempotency-Keys, for a POST: adapters/http/handler.ts).
      this.grantNeeds(fn, routeNeeds(route));
      this.httpFunctions.set(route.name, fn);
    }

    this.api = this.createApi(dataRemoval);
    for (const route of routes) this.addRoute(route, this.httpFunctions.get(route.name)!);
    // The reference web apps, same origin as the API (`-c webPortalKey=`, `-c webClientId=`).
    const context = (key: string) => {
      const value: unknown = this.node.tryGetContext(key);
      return typeof value === 'string' && value ? value : undefined;
    };
    const portalKey = context('webPortalKey');
    const clientId = context('webClientId');
    this.web = new WebApp(this, 'Web', {
      config,
      api: this.api,
      removal: dataRemoval,
      ...(props.webDist ? { dist: props.webDist } : {}),
      ...(portalKey ? { portalKey } : {}),
      ...(clientId ? { clientId } : {}),
    });

    // 电子监察: scheduled sweeps (the local stack runs the same files on a timer).
    for (const job of scheduledFunctions) {
      const fn = this.createFunction(
        'Scheduled',
        job.name,
        'scheduled',
        this.sharedEnvironment,
        `scheduled ${job.name}`,
      );
      this.grantNeeds(fn, job.needs);
      new events.Rule(this, `${pascal(job.name)}Schedule`, {
        schedule: events.Schedule.expression(job.schedule),
        targets: [new eventsTargets.LambdaFunction(fn.function, { retryAttempts: 2 })],
      });
    }

    // Webhooks: outbox items on the table's stream → enqueue-webhooks → SQS → deliver-webhook.
    this.createWebhookDelivery();

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL; routes start with /v1' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    // Repository-relative: the template must not depend on where it was synthesised.
    new CfnOutput(this, 'CaseFlowDefinitionFile', {
      value: relative(repoRoot, this.caseFlowAslPath).split('\\').join('/'),
      description: 'ASL file deployed as the case flow (the same file the local runtime executes)',
    });
    // What `npm run credentials -- … --stack Yijianshi-<city>` reads (or takes as flags).
    new CfnOutput(this, 'RestApiId', { value: this.api.restApiId });
    new CfnOutput(this, 'ApiStage', { value: this.api.deploymentStage.stageName });
    if (this.tokenSecret)
      new CfnOutput(this, 'TokenSecretArn', {
        value: this.tokenSecret.secretArn,
        description: 'Secrets Manager secret signing department tokens',
      });
  }

  /**
   * The hook for portals (third-party sites and apps): a usage plan with throttle and daily quota
   * and an API key on it, for the API's stage. Portal routes require an API key (apiKeyRequired),
   * so a portal can call them only once it has a plan. API keys come from the authorizer
   * (apiKeySourceType AUTHORIZER): a key counts only if its value is also a portal key in the
   * table — `npm run credentials -- issue-portal` on a deployed stack creates both with one value
   * (adapters/apigateway/usage-plans.ts); this hook is for plans declared in code.
   */
  addPortalUsagePlan(
    portalId: string,
    limits: PortalLimits = {},
  ): { plan: apigw.UsagePlan; apiKey: apigw.IApiKey } {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(portalId)) {
      throw new Error(`Portal id "${portalId}" must be lower-case words joined by "-".`);
    }
    const id = pascal(portalId);
    const rateLimit = limits.rateLimit ?? 20;
    const apiKey = new apigw.ApiKey(this, `PortalKey${id}`, {
      apiKeyName: `${this.stackName}-${portalId}`,
      description: `Portal ${portalId} of ${this.config.cityId}`,
    });
    const plan = this.api.addUsagePlan(`PortalPlan${id}`, {
      name: `${this.stackName}-${portalId}`,
      throttle: { rateLimit, burstLimit: limits.burstLimit ?? rateLimit * 2 },
      quota: { limit: limits.dailyQuota ?? 50_000, period: apigw.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    plan.addApiKey(apiKey);
    return { plan, apiKey };
  }

  // ── Keys and storage ──────────────────────────────────────────────────────────────────────

  /**
   * Log groups can hold personal data (a stack trace, an execution's error), so they are
   * encrypted too — with their own key, so the CloudWatch Logs service never gets use of the key
   * that protects cases and materials.
   */
  private createLogsKey(removal: RemovalPolicy): kms.Key {
    const key = new kms.Key(this, 'LogsKey', {
      description: `yijianshi ${this.config.cityId}: CloudWatch log groups`,
      enableKeyRotation: true,
      removalPolicy: removal,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        // logs.<region>.amazonaws.com, or .amazonaws.com.cn in the China regions.
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return key;
  }

  private createTable(removal: RemovalPolicy): dynamodb.Table {
    // dynamodb.Table, not TableV2: TableV2 synthesises AWS::DynamoDB::GlobalTable, which LocalStack
    // supports less reliably. The shape is shared with local/ so both create the same table.
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_SHAPE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SHAPE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SHAPE.ttlAttribute,
      // Webhooks: outbox items reach enqueue-webhooks through the stream (new images only).
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      deletionProtection: removal === RemovalPolicy.RETAIN,
      removalPolicy: removal,
    });
    for (const index of TABLE_SHAPE.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }

  private createBuckets(removal: RemovalPolicy): s3.Bucket {
    // S3 server access logs cannot be delivered to an SSE-KMS bucket, hence SSE-S3 here.
    // Object ownership is left to CDK: it grants log delivery by bucket policy (feature flag
    // serverAccessLogsUseBucketPolicy in cdk.json) or, without the flag, by an ACL it then allows.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // 网络安全法 art. 21: network logs are kept for at least six months; a year leaves margin.
      lifecycleRules: [
        { expiration: Duration.days(366), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: removal,
    });

    return new s3.Bucket(this, 'Files', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      // One data key per bucket instead of a KMS call per object: cheaper and fewer throttles.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // A license or material overwritten or deleted by mistake can be recovered.
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'files/',
      // Browsers upload materials straight to S3 with presigned PUT URLs (and read licenses with
      // presigned GETs); the signature, not the origin, is what authorises the request. The same
      // rule as the local emulator's (adapters/s3/cors.ts).
      cors: [
        {
          allowedMethods: FILES_BUCKET_CORS.allowedMethods.map((m) => s3.HttpMethods[m]),
          allowedOrigins: [...FILES_BUCKET_CORS.allowedOrigins],
          allowedHeaders: [...FILES_BUCKET_CORS.allowedHeaders],
          exposedHeaders: [...FILES_BUCKET_CORS.exposedHeaders],
          maxAge: FILES_BUCKET_CORS.maxAgeSeconds,
        },
      ],
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: removal,
    });
  }

  // ── Functions and their permissions ───────────────────────────────────────────────────────

  private createFunction(
    group: 'Http' | 'Tasks' | 'Auth' | 'Scheduled' | 'Events',
    name: string,
    kind: 'handler' | 'task' | 'authorizer' | 'scheduled' | 'stream' | 'queue',
    environment: Record<string, string>,
    description: string,
    files?: Readonly<Record<string, string>>,
    timeoutSeconds?: number,
    takesKey?: boolean,
  ): HandlerFunction {
    // Grouped (Http/, Tasks/, Auth/) so a handler and a task of the same name cannot collide.
    const parent = (this.node.tryFindChild(group) as Construct | undefined) ?? new Construct(this, group);
    return new HandlerFunction(parent, pascal(name), {
      name,
      kind,
      catalogFile: this.config.catalogFile,
      environment,
      description,
      logEncryptionKey: this.logsKey,
      functionsDir: this.functionsDir,
      ...(files ? { files } : {}),
      ...(timeoutSeconds ? { timeout: Duration.seconds(timeoutSeconds) } : {}),
      ...(takesKey === undefined ? {} : { takesIdempotencyKey: takesKey }),
    });
  }

  /**
   * What a function's `needs` names (adapters/http/route.ts `Needs`: a route's spec, or the row of
   * a task, scheduled or event function in functions/routes.ts), and nothing more. The IAM proof
   * (test/support/iam-proof.ts) checks every AWS call of the test run against the result.
   */
  private grantNeeds(fn: HandlerFunction, needs: Needs): void {
    const why = "Granted from the function's `needs` on this city's own table, bucket and key:";
    if (needs.table) {
      // The item actions the adapters use (no Scan, no stream reads: CDK's
      // grantReadWriteData would add them); a transaction is authorised item by item.
      this.table.grant(fn.function, ...TABLE_ACTIONS[needs.table]);
      // Table keys of applicants are keyed identifiers: the functions reading or writing them fetch the secret.
      this.identifierSecret.grantRead(fn.function);
      // The table's own key (SSE-KMS), as CDK's table grants add it.
      this.dataKey.grant(
        fn.function,
        'kms:Decrypt',
        'kms:DescribeKey',
        ...(needs.table === 'write' ? ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] : []),
      );
      acknowledge(
        fn,
        iam5Resource(fn, `${this.table.tableArn}/index/*`),
        `${why} queries use the table's GSIs (gsi1, gsi2).`,
      );
    }
    if (needs.files) {
      if (needs.files === 'write') this.bucket.grantReadWrite(fn.function);
      else this.bucket.grantRead(fn.function);
      acknowledge(
        fn,
        iam5Resource(fn, `${this.bucket.bucketArn}/*`),
        `${why} object keys are per case and material, not known at deploy.`,
      );
      const actions = [
        's3:GetObject*',
        's3:GetBucket*',
        's3:List*',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
      ];
      if (needs.files === 'write') actions.push('s3:DeleteObject*', 's3:Abort*');
      for (const action of actions)
        acknowledge(fn, iam5Action(action), `${why} object access limited to the files bucket and its key.`);
    }
    if (needs.table === 'write')
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*'])
        acknowledge(fn, iam5Action(action), `${why} SSE-KMS writes need data keys from the city's data key.`);
    if (needs.workflow?.length) this.grantWorkflow(fn, needs.workflow);
    if (needs.signing) this.grantSigning(fn, needs.signing);
  }

  private grantSigning(fn: HandlerFunction, use: 'verify' | 'sign'): void {
    fn.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions:
          use === 'sign'
            ? ['kms:Sign', 'kms:GetPublicKey', 'kms:Verify']
            : ['kms:GetPublicKey', 'kms:Verify'],
        resources: [this.signingKey.keyArn],
      }),
    );
  }

  /** The case flow calls a route's spec names: start, stop, callback (task tokens), describe. */
  private grantWorkflow(fn: HandlerFunction, access: readonly WorkflowAccess[]): void {
    const executions = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    if (access.includes('start')) this.stateMachine.grantStartExecution(fn.function);
    const onExecutions = [
      ...(access.includes('stop') ? ['states:StopExecution'] : []),
      ...(access.includes('describe') ? ['states:DescribeExecution', 'states:GetExecutionHistory'] : []),
    ];
    if (onExecutions.length) {
      fn.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: onExecutions, resources: [executions] }),
      );
      acknowledge(
        fn,
        iam5Resource(fn, executions),
        "Executions of this city's case flow only; execution names are case ids, unknown at deploy.",
      );
    }
    if (access.includes('callback')) {
      // SendTaskSuccess/Failure support no resource-level permissions (IAM allows only "*"); the
      // task token itself is the capability, and it only reaches the handler through the table.
      fn.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: ['*'],
        }),
      );
      acknowledge(
        fn,
        'IAM5[Resource::*]',
        'Only actions without resource-level permissions use "*": states:SendTaskSuccess/SendTaskFailure (the task token is the capability) and X-Ray PutTraceSegments/PutTelemetryRecords.',
      );
    }
  }

  // ── State machine ────────────────────────────────────────────────────────────────────────

  private createStateMachine(removal: RemovalPolicy): sfn.StateMachine {
    const substitutions: Record<string, string> = {
      Partition: Aws.PARTITION,
      TableName: this.table.tableName,
      BucketName: this.bucket.bucketName,
    };
    for (const [name, fn] of this.taskFunctions) substitutions[substitutionKey(name)] = fn.functionArn;

    const logGroup = new logs.LogGroup(this, 'CaseFlowLogs', {
      // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small as flows are added.
      logGroupName: `/aws/vendedlogs/states/${this.stackName}-case-flow`,
      encryptionKey: this.logsKey,
      // An audit trail of every case's progress (网络安全法: at least six months).
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: removal,
    });

    const stateMachine = new sfn.StateMachine(this, 'CaseFlow', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      // STYLE 17: the ASL lives in statemachines/ and is the very file the local runtime runs.
      definitionBody: sfn.DefinitionBody.fromFile(this.caseFlowAslPath),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      // Execution data (case ids, plans, decisions' outcomes) encrypted with the city's own key.
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.dataKey),
      // Every state transition is logged, but not its data: inputs and outputs carry personal data.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    for (const fn of this.taskFunctions.values()) {
      fn.function.grantInvoke(stateMachine);
      acknowledge(
        stateMachine,
        iam5Resource(stateMachine, `${fn.functionArn}:*`),
        `Added by grantInvoke: versions/aliases of the task function ${fn.node.id}, nothing else.`,
      );
    }
    acknowledge(
      stateMachine,
      'IAM5[Resource::*]',
      'Added by CDK for logging and tracing: the CloudWatch Logs delivery APIs (logs:CreateLogDelivery, ...) and X-Ray PutTraceSegments support no resource-level permissions.',
    );

    // A placeholder without a value would deploy as a literal "${...}" and fail at run time, in
    // the middle of a citizen's case; fail the synth instead.
    const asl = readFileSync(this.caseFlowAslPath, 'utf8');
    const missing = [...new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))].filter(
      (k) => !(k in substitutions),
    );
    if (missing.length) {
      const hints = missing.map((key) => {
        const task = /^(\w+)FunctionArn$/.exec(key)?.[1];
        return task
          ? `\${${key}} → add { name: '${kebab(task)}' } to taskFunctions in functions/routes.ts`
          : `\${${key}}`;
      });
      Annotations.of(stateMachine).addError(
        `${relative(repoRoot, this.caseFlowAslPath)} uses substitutions the stack does not provide: ${hints.join('; ')}.`,
      );
    }
    return stateMachine;
  }

  // ── REST API ─────────────────────────────────────────────────────────────────────────────

  private createApi(removal: RemovalPolicy): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      encryptionKey: this.logsKey,
      // 网络安全法 art. 21: network access logs are kept for at least six months.
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: removal,
    });

    const api = new apigw.RestApi(this, 'Api', {
      restApiName: `yijianshi-${this.config.cityId}`,
      description: `一件事一次办 — ${this.config.cityName}`,
      // EDGE (CDK's default) does not exist in the China regions; REGIONAL works everywhere.
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The authorizer verifies x-api-key (by hash, in the table) and returns it as
      // usageIdentifierKey: API Gateway meters that key against the portal's usage plan
      // (`npm run credentials` creates the API Gateway key with the same value).
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      // Required for access and execution logging; the account-level setting it creates is kept
      // on deletion, since other stacks of the account (other cities) rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        // Route paths already start with /v1, so the stage is not a version.
        stageName: 'api',
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        // Execution logs for errors only, and never request/response data (personal data).
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
      // Portals call from browsers; same preflight answer as the local dev server. Handlers add
      // access-control-allow-origin to their own responses (proxy integration passes them through).
      defaultCorsPreflightOptions: {
        allowOrigins: apigw.Cors.ALL_ORIGINS,
        allowMethods: [...CORS_ALLOW_METHODS],
        allowHeaders: [...CORS_ALLOW_HEADERS],
        maxAge: Duration.hours(1),
      },
    });
    // Errors produced by API Gateway itself are the project's problem+json (type, title, status,
    // code, detail, instance) with the CORS headers, the same answers as the dev server's
    // (adapters/http/gateway-responses.ts). The authorizer throws anything but "Unauthorized" only
    // when it cannot check credentials (the table does not answer): an outage, so 503 +
    // Retry-After, never a 401 or a bare 500.
    const gatewayResponse = (type: apigw.ResponseType, answer: GatewayProblem) =>
      api.addGatewayResponse(`Problem${type.responseType}`, {
        type,
        statusCode: String(answer.status),
        responseHeaders: Object.fromEntries(
          Object.entries(answer.headers).map(([name, value]) => [headerCase(name), `'${value}'`]),
        ),
        templates: { 'application/json': gatewayProblemBody(answer, '$context.requestId') },
      });
    for (const [type, answer] of Object.entries(GATEWAY_PROBLEMS))
      gatewayResponse(apigw.ResponseType.of(type), answer);
    for (const type of [
      apigw.ResponseType.AUTHORIZER_FAILURE,
      apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    ])
      gatewayResponse(type, AUTHORIZER_UNAVAILABLE);
    for (const type of [apigw.ResponseType.DEFAULT_4XX, apigw.ResponseType.DEFAULT_5XX]) {
      api.addGatewayResponse(`Cors${type.responseType}`, {
        type,
        responseHeaders: Object.fromEntries(
          Object.entries(CORS_RESPONSE_HEADERS).map(([name, value]) => [headerCase(name), `'${value}'`]),
        ),
      });
    }

    acknowledge(
      api,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level role API Gateway uses to write logs; AWS maintains this policy for exactly that purpose.',
    );
    acknowledge(
      api,
      'APIG2',
      'Bodies and query strings are validated by each handler with zod, which lists every problem in one problem+json answer; API Gateway validation would answer with its own single-message 400. The validator here checks required path parameters.',
    );
    acknowledge(
      api,
      'APIG3',
      'No WAF web ACL yet: throttling is per stage and per portal usage plan; AWS WAF managed rule groups differ in the China regions, so a web ACL is chosen per city when it deploys.',
    );
    return api;
  }

  private requestValidator?: apigw.RequestValidator;

  private addRoute(route: HttpRoute, fn: HandlerFunction): void {
    // Checks that declared path parameters are present; bodies, queries and types are validated
    // by each handler with zod, which reports every problem at once as problem+json.
    this.requestValidator ??= this.api.addRequestValidator('RequestParameters', {
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const method = this.api.root.resourceForPath(route.path).addMethod(
      route.method,
      // Test-invoke permissions would double the Lambda permissions for a console feature.
      new apigw.LambdaIntegration(fn.function, { allowTestInvoke: false }),
      {
        requestValidator: this.requestValidator,
        requestParameters: Object.fromEntries(pathParameters.map((p) => [`method.request.path.${p}`, true])),
        // Portal traffic is metered per portal (addPortalUsagePlan); identity still comes from the
        // authorizer, which the handlers read from requestContext.authorizer.
        apiKeyRequired: route.caller === 'portal' || route.caller === 'applicant',
        ...(route.caller === 'public'
          ? { authorizationType: apigw.AuthorizationType.NONE }
          : { authorizer: this.authorizerFor(route.caller, route) }),
      },
    );
    if (route.caller === 'public') {
      acknowledge(
        method,
        'APIG4',
        `${route.method} ${route.path} is public by design (published catalog, health).`,
      );
    }
    acknowledge(
      method,
      'COG4',
      'No Cognito: user pools are not available in the China regions; portals use API keys and departments bearer tokens, both verified by the Lambda authorizer.',
    );
  }

  /**
   * One Lambda (functions/authorize-caller.authorizer.ts) behind two REQUEST authorizers, each
   * with the identity source of its caller kind: API Gateway answers 401 without invoking the
   * Lambda when that header is missing, and caches the result per credential.
   */
  private authorizerFor(caller: Exclude<CallerKind, 'public'>, route: HttpRoute): apigw.IAuthorizer {
    const existing = this.authorizers.get(caller);
    if (existing) return existing;
    const file = `${AUTHORIZER_NAME}.authorizer.ts`;
    if (!existsSync(join(this.functionsDir, file))) {
      throw new Error(
        `${route.method} ${route.path} is for callers of kind "${caller}", which needs functions/${file}; it does not exist.`,
      );
    }
    this.authorizerFunction ??= this.createAuthorizerFunction();
    const authorizer = new apigw.RequestAuthorizer(
      this,
      {
        portal: 'PortalAuthorizer',
        applicant: 'ApplicantAuthorizer',
        department: 'DepartmentAuthorizer',
        hotline: 'HotlineAuthorizer',
      }[caller],
      {
        handler: this.authorizerFunction.function,
        identitySources: IDENTITY_SOURCES[caller].map((h) => apigw.IdentitySource.header(h)),
        // Revoking a token or key takes effect within this time (the local dev server caches alike).
        resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
      },
    );
    this.authorizers.set(caller, authorizer);
    return authorizer;
  }

  // ── Webhooks ─────────────────────────────────────────────────────────────────────────────

  /**
   * At-least-once delivery of case status changes to portals' webhooks. The case repository writes
   * an outbox item in the same transaction as each status change; the table's stream (filtered to
   * outbox INSERTs) invokes enqueue-webhooks, which puts one message per webhook on the delivery
   * queue; deliver-webhook tries each message, and after a failure sets its visibility timeout to
   * the backoff delay (1 s, 2 s … 64 s, jittered) and reports it failed, so SQS hands it back
   * then. The 8th failed try writes a DEADLETTER item for operators (`npm run credentials --
   * list-dead-letters`); messages that keep crashing the function land in the queue's DLQ.
   */
  private createWebhookDelivery(): void {
    const [enqueue, deliver] = [eventFunctions[0], eventFunctions[1]];
    const maxAttempts = 8;
    const deadLetters = new sqs.Queue(this, 'WebhookDeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, 'WebhookDeliveries', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.dataKey,
      // One data key reused for 5 minutes instead of a KMS call per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      // AWS's advice for Lambda consumers: six times the function's timeout. A failed try sets
      // its own, shorter visibility (the backoff).
      visibilityTimeout: Duration.seconds(180),
      // Normal path: the use case dead-letters after `maxAttempts` tries; this catches crashes.
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: maxAttempts + 2 },
    });
    this.webhookQueue = queue;
    // Stream batches that still fail after the retries below: their position, for operators (the
    // events themselves stay in their case's OUTBOX# partition of the table until their TTL).
    const streamFailures = new sqs.Queue(this, 'WebhookStreamFailures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      streamFailures,
      'SQS3',
      'This queue is itself a dead-letter destination: the on-failure destination of the outbox stream mapping (Lambda sends failed-batch records here, not through a redrive policy).',
    );

    const enqueueFn = this.createFunction(
      'Events',
      enqueue.name,
      enqueue.kind,
      {
        ...this.sharedEnvironment,
        WEBHOOK_QUEUE_URL: queue.queueUrl,
        PUBLIC_BASE_URL: this.api.url,
      },
      'webhooks: outbox stream → delivery queue',
    );
    const deliverFn = this.createFunction(
      'Events',
      deliver.name,
      deliver.kind,
      {
        ...this.sharedEnvironment,
        WEBHOOK_QUEUE_URL: queue.queueUrl,
        WEBHOOK_MAX_ATTEMPTS: String(maxAttempts),
        WEBHOOK_BACKOFF_BASE_MS: '1000',
        WEBHOOK_BACKOFF_CAP_MS: String(5 * 60_000),
        WEBHOOK_TIMEOUT_MS: '5000',
      },
      'webhooks: one signed POST per message, backoff by visibility timeout',
    );
    this.eventFunctions.set(enqueue.name, enqueueFn);
    this.eventFunctions.set(deliver.name, deliverFn);

    enqueueFn.function.addEventSource(
      new lambdaEventSources.DynamoEventSource(this.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 25,
        // The same filter as outboxEventFromImage: new outbox items only (not their dispatch
        // mark, not TTL deletions, not any other item of the table).
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { type: { S: lambda.FilterRule.isEqual('outbox') } } },
          }),
        ],
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 20,
        maxRecordAge: Duration.days(1),
        onFailure: new lambdaEventSources.SqsDlq(streamFailures),
      }),
    );
    deliverFn.function.addEventSource(
      new lambdaEventSources.SqsEventSource(queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // Portals' receivers are not hammered by a backlog: at most this many batches at once.
        maxConcurrency: 10,
      }),
    );
    queue.grantSendMessages(enqueueFn.function);
    // ChangeMessageVisibility (the backoff) is part of grantConsumeMessages, which the event
    // source adds; the dead letters and webhooks are items of the table.
    for (const [row, fn] of [
      [enqueue, enqueueFn],
      [deliver, deliverFn],
    ] as const) {
      this.grantNeeds(fn, row.needs);
      const why = "Granted by the queue grants on this city's own queue and key:";
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*'])
        acknowledge(
          fn,
          iam5Action(action),
          `${why} SSE-KMS needs data keys from the city's data key (only that key).`,
        );
    }
    acknowledge(
      enqueueFn,
      'IAM5[Resource::*]',
      'Added by the DynamoDB stream event source (dynamodb:ListStreams supports no resource-level permission) and by active tracing (X-Ray PutTraceSegments/PutTelemetryRecords).',
    );

    new CfnOutput(this, 'WebhookDeadLetterQueueUrl', {
      value: deadLetters.queueUrl,
      description: 'Webhook delivery messages that crashed the delivery function repeatedly',
    });
  }

  private createAuthorizerFunction(): HandlerFunction {
    // Department tokens are HMAC-signed with a per-city secret; generated here, never in git.
    const tokenSecret = new secretsmanager.Secret(this, 'DepartmentTokenSecret', {
      description: `yijianshi ${this.config.cityId}: HMAC key of department bearer tokens`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.tokenSecret = tokenSecret;
    acknowledge(
      tokenSecret,
      'SMG4',
      'Rotating the signing key invalidates every issued department token; it is rotated by hand, with re-issue, not on a schedule.',
    );
    const fn = this.createFunction(
      'Auth',
      AUTHORIZER_NAME,
      'authorizer',
      // The key is fetched at run time (adapters/credentials/token-secret.ts): it is in no template
      // and in no Lambda's environment. The city's identity provider
      // (cities/<id>/identity-provider.json) verifies applicants' tokens.
      {
        ...this.sharedEnvironment,
        TOKEN_SECRET_ARN: tokenSecret.secretArn,
        ...identityProviderEnvironment(this.config),
      },
      'API Gateway authorizer: portal API keys, applicant tokens and department tokens',
    );
    // Looks up API key hashes and revoked tokens; writes nothing.
    this.grantNeeds(fn, AUTHORIZER_NEEDS);
    tokenSecret.grantRead(fn.function);
    return fn;
  }
}

function kebab(pascalName: string): string {
  return pascalName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** "retry-after" → "Retry-After": how Gateway Response headers are written. */
function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase());
}

/** The OpenAPI document of `routes`, written where bundling can copy it from. */
function writeOpenApiDocument(routes: readonly HttpRoute[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'yijianshi-openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(buildOpenApiDocument(routes)));
  return file;
}
