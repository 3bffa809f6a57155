/**
 * The deployed shape of issue 6: portal usage plans that agree with the authorizer (API keys come
 * from the authorizer, stage throttling as the floor), and webhook delivery (outbox stream →
 * enqueue-webhooks → KMS-encrypted SQS with a DLQ → deliver-webhook with batch item failures).
 * Bundling is skipped, as in city-stack.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CityStack } from './city-stack.ts';
import { repoRoot } from './paths.ts';
import { testStack } from './test-stack.ts';

let stack: CityStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = testStack('changzhou'));
});

const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as CfnElement);

describe('portal usage plans', () => {
  it('takes API keys from the authorizer, which returns the verified x-api-key as usageIdentifierKey', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    const authorizer = readFileSync(join(repoRoot, 'functions', 'authorize-caller.authorizer.ts'), 'utf8');
    expect(authorizer).toMatch(/usageIdentifierKey: apiKey/);
  });

  it('throttles the whole stage, under every portal’s own plan', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'api',
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ]),
    });
  });

  it('outputs what the credentials command needs to manage keys and plans', () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    for (const name of ['TableName', 'RestApiId', 'ApiStage', 'TokenSecretArn'])
      expect(outputs).toHaveProperty(name);
  });
});

describe('webhook delivery', () => {
  it('streams the table’s new images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('feeds only new outbox items to enqueue-webhooks, retrying per record', () => {
    const enqueue = stack.eventFunctions.get('enqueue-webhooks')!;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(enqueue.function) },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { type: { S: ['outbox'] } } },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('queues deliveries encrypted with the data key, TLS only, with a DLQ beyond the 8 tries', () => {
    const queue = stack.webhookQueue!;
    const [, props] = Object.entries(template.findResources('AWS::SQS::Queue')).find(
      ([id]) => id === logicalId(queue),
    )! as [string, { Properties: Record<string, unknown> }];
    expect(props.Properties).toMatchObject({
      KmsMasterKeyId: expect.anything(),
      VisibilityTimeout: 180,
      RedrivePolicy: { maxReceiveCount: 10, deadLetterTargetArn: expect.anything() },
    });
    for (const [, q] of Object.entries(template.findResources('AWS::SQS::Queue')))
      expect((q as { Properties: Record<string, unknown> }).Properties.KmsMasterKeyId).toBeDefined();
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies.length).toBe(Object.keys(template.findResources('AWS::SQS::Queue')).length);
    for (const p of policies) expect(JSON.stringify(p)).toContain('"aws:SecureTransport":"false"');
  });

  it('delivers in batches whose failures are retried one by one, at bounded concurrency', () => {
    const deliver = stack.eventFunctions.get('deliver-webhook')!;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(deliver.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.webhookQueue!), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const policy = deliver.role.node.tryFindChild('DefaultPolicy') as iam.Policy;
    const text = JSON.stringify(stack.resolve(policy.document));
    // The backoff is the message's visibility timeout.
    expect(text).toContain('sqs:ChangeMessageVisibility');
  });

  it('gives the delivery function its retry policy and the enqueue function the links’ base URL', () => {
    const env = (fn: string) =>
      (
        template.toJSON().Resources[logicalId(stack.eventFunctions.get(fn)!.function)].Properties
          .Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
    expect(env('deliver-webhook')).toMatchObject({
      WEBHOOK_MAX_ATTEMPTS: '8',
      WEBHOOK_BACKOFF_BASE_MS: '1000',
      WEBHOOK_QUEUE_URL: expect.anything(),
    });
    expect(env('enqueue-webhooks')).toMatchObject({
      PUBLIC_BASE_URL: expect.anything(),
      WEBHOOK_QUEUE_URL: expect.anything(),
    });
    expect(env('enqueue-webhooks')).not.toHaveProperty('WEBHOOK_ALLOW_PRIVATE');
    expect(env('deliver-webhook')).not.toHaveProperty('WEBHOOK_ALLOW_PRIVATE');
  });
});
