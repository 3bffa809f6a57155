/**
 * The reference web apps, deployed (issue 18): web/dist in a private S3 bucket, read by CloudFront
 * through Origin Access Control, and the API on the same distribution under `/v1/*` — so the
 * apps and the API are one origin (no CORS), exactly as the local dev server serves them.
 *
 *   /*      → the bucket: pages (revalidated) and hashed assets (immutable); `/workbench` and
 *             `/supervision` are their folders' index.html (a CloudFront Function rewrites them)
 *   /v1/*   → the API Gateway stage: never cached, every method, every viewer header but Host
 *             (Authorization, x-api-key, Idempotency-Key, Accept-Language, content-type…) and
 *             every query string
 *
 * `/config.json` is generated here: apiBase '' (same origin), the city's identity provider
 * (cities/<id>/identity-provider.json: issuer and audience; the web client's id from
 * `-c webClientId=`, default `yijianshi-web`) and the web portal's API key from `-c webPortalKey=`
 * — public by nature (it ships to every browser); until the operator sets it, a placeholder the
 * portal's calls are refused with (README, "Deploy a city").
 *
 * When web/dist is missing (a fresh clone that never built the apps) the bucket and distribution
 * are still made but nothing is uploaded, and synth says so: `npm run build:web` first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { CityConfig } from '../city-config.ts';
import { acknowledge, iam5Action, iam5Resource } from '../nag.ts';
import { repoRoot } from '../paths.ts';

/** What the portal's calls carry until the operator sets the web portal's key (they get 401). */
export const PORTAL_KEY_PLACEHOLDER = 'SET-ME: npm run credentials -- issue-portal, then -c webPortalKey=';

/** The public OpenID client the city registers at its provider for the portal (code + PKCE). */
export const DEFAULT_WEB_CLIENT_ID = 'yijianshi-web';

export interface WebAppProps {
  readonly config: CityConfig;
  readonly api: apigw.RestApi;
  /** @default <repo>/web/dist */
  readonly dist?: string;
  /** The web portal's API key (public by nature). @default a placeholder */
  readonly portalKey?: string;
  /** @default 'yijianshi-web' */
  readonly clientId?: string;
  /** For the log bucket (kept like the stack's other logs unless the city is throw-away). */
  readonly removal: RemovalPolicy;
}

/** Pretty paths to files: `/workbench` and `/workbench/` → `/workbench/index.html`. */
const REWRITE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) request.uri = uri + 'index.html';
  else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) request.uri = uri + '/index.html';
  return request;
}`;

/**
 * A nested stack of the city stack: deployed with it (one `cdk deploy`), its resources — CDK's
 * own deployment function among them — in a template of their own, so the city stack's holds
 * only the API's functions.
 */
export class WebApp extends NestedStack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** Whether web/dist was found and is deployed. */
  readonly deployed: boolean;
  /** What `/config.json` says (web/src/shared/config.ts reads it). */
  readonly webConfig: {
    readonly apiBase: '';
    readonly portalKey: string;
    readonly oidc: { readonly issuer: string; readonly clientId: string; readonly audience: string };
    readonly mode: 'deployed';
  };

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id, { description: `yijianshi ${props.config.cityId}: the web apps (S3 + CloudFront)` });
    const dist = props.dist ?? join(repoRoot, 'web', 'dist');

    // CloudFront's standard logs need a bucket that takes ACLs (object writer); a year, as the
    // stack's other network logs (网络安全法 art. 21).
    const logs = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(366) }],
      removalPolicy: props.removal,
    });
    acknowledge(
      logs,
      'S1',
      'This bucket holds the access logs of the web apps; it logs to no further bucket.',
    );

    // Built files only: rebuilt and redeployed from the repository at will, never retained.
    this.bucket = new s3.Bucket(this, 'Assets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    acknowledge(
      this.bucket,
      'S1',
      'Read only by CloudFront (Origin Access Control): every request is in the distribution’s access logs.',
    );

    const apiOrigin = new origins.RestApiOrigin(props.api);
    const api: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // With caching disabled, this managed policy forwards Authorization too; Host stays the
      // API's own (API Gateway routes by it).
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `yijianshi ${props.config.cityId}: web apps and API`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'Rewrite', {
              code: cloudfront.FunctionCode.fromInline(REWRITE),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: 'The apps’ folders to their index.html',
            }),
          },
        ],
      },
      additionalBehaviors: { '/v1/*': api },
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(
      this.distribution,
      'CFR1',
      'A public service for the city’s residents and enterprises, wherever they are: no geographic restriction.',
    );
    acknowledge(
      this.distribution,
      'CFR2',
      'The API behind /v1/* has its own throttles and usage plans; a WAF web ACL is the operator’s choice per city.',
    );
    acknowledge(
      this.distribution,
      'CFR4',
      'The default *.cloudfront.net certificate allows TLSv1 for old clients; a city’s own domain and certificate (TLSv1.2_2021) is configured at deployment.',
    );

    const config = {
      apiBase: '' as const,
      portalKey: props.portalKey ?? PORTAL_KEY_PLACEHOLDER,
      oidc: {
        issuer: props.config.identityProvider.issuer,
        clientId: props.clientId ?? DEFAULT_WEB_CLIENT_ID,
        audience: props.config.identityProvider.audience,
      },
      mode: 'deployed' as const,
    };

    this.webConfig = config;
    this.deployed = existsSync(join(dist, 'index.html'));
    if (this.deployed) {
      // Hashed assets never change: cached for good, and kept across deployments (pages of the
      // previous build may still be open in a browser).
      new s3deploy.BucketDeployment(this, 'DeployAssets', {
        sources: [s3deploy.Source.asset(join(dist, 'assets'))],
        destinationBucket: this.bucket,
        destinationKeyPrefix: 'assets/',
        prune: false,
        cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
      });
      // Pages and config.json are revalidated on every visit; CloudFront forgets its copies.
      new s3deploy.BucketDeployment(this, 'DeployPages', {
        sources: [
          s3deploy.Source.asset(dist, { exclude: ['assets/**'] }),
          s3deploy.Source.jsonData('config.json', config),
        ],
        destinationBucket: this.bucket,
        exclude: ['assets/*'],
        cacheControl: [s3deploy.CacheControl.noCache()],
        distribution: this.distribution,
        distributionPaths: ['/*'],
      });
      this.acknowledgeDeploymentFunction();
    } else {
      Annotations.of(this).addWarning(
        `web/dist is missing (${dist}): the web apps are not deployed with this stack. Run \`npm run build:web\` before \`cdk deploy\`.`,
      );
    }

    new CfnOutput(scope, 'WebUrl', {
      value: `https://${this.distribution.distributionDomainName}`,
      description:
        'The web apps (portal at /, workbench at /workbench, supervision at /supervision) and the API under /v1, one origin',
    });
  }

  /**
   * BucketDeployment's function (one per stack, CDK's own: its role, runtime and grants are not
   * ours to shape) copies the build from CDK's asset bucket into the web bucket at deploy time.
   */
  private acknowledgeDeploymentFunction(): void {
    const stack = Stack.of(this);
    const fn = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!fn) return;
    const why =
      'CDK’s BucketDeployment function: copies the built web apps into their bucket at deploy time.';
    acknowledge(
      fn,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      why,
    );
    acknowledge(fn, 'L1', `${why} Its runtime is CDK’s, updated with aws-cdk-lib.`);
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'])
      acknowledge(
        fn,
        iam5Action(action),
        `${why} CDK grants read of the asset bucket and write of the web bucket.`,
      );
    acknowledge(
      fn,
      iam5Resource(this, `${this.bucket.bucketArn}/*`),
      `${why} Every object of the web bucket.`,
    );
    acknowledge(
      fn,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      `${why} It reads the build from CDK’s bootstrap asset bucket.`,
    );
    acknowledge(
      fn,
      'AwsSolutions-IAM5[Resource::*]',
      `${why} CloudFront invalidations have no resource narrower than *.`,
    );
  }
}
