/**
 * The AWS call recorder (adapters/aws-call-recorder.ts), without emulators: real SDK clients whose
 * requests stop before the network (a last middleware answers), so what is recorded is exactly
 * what the middleware saw — command, input, presigning — and who it is attributed to.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AwsCallRecording,
  isRecordingAwsCalls,
  permissionsOf,
  recordCallsOf,
  recordStandIn,
  runAsFunction,
  startAwsCallRecording,
} from './aws-call-recorder.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A client whose every request is answered before it leaves the process. */
function offline<C extends { middlewareStack: { add(m: unknown, o: unknown): void } }>(client: C): C {
  client.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), {
    step: 'finalizeRequest',
    name: 'offline',
  });
  return client;
}

const dynamo = offline(
  recordCallsOf(
    'dynamodb',
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'cn-north-1', credentials })),
  ),
);
const s3 = offline(recordCallsOf('s3', new S3Client({ region: 'cn-north-1', credentials })));

let recording: AwsCallRecording | undefined;
afterEach(() => recording?.stop());

const summary = (r: AwsCallRecording) =>
  r
    .calls()
    .map(
      (c) =>
        `${c.fn ?? '-'} ${c.action} ${c.resource.kind}${c.resource.detail ? `/${c.resource.detail}` : ''} [${c.commands.join(', ')}]`,
    )
    .sort();

describe('the AWS call recorder', () => {
  it('records nothing unless started', async () => {
    expect(isRecordingAwsCalls()).toBe(false);
    await runAsFunction('submit-case', () =>
      dynamo.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'pk = :p' })),
    );
    recording = startAwsCallRecording();
    expect(recording.calls()).toEqual([]);
    expect(recording.total).toBe(0);
  });

  it('attributes each call to the function running it, as the IAM actions it needs', async () => {
    recording = startAwsCallRecording();
    await runAsFunction('submit-case', async () => {
      await dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: 't', Item: { pk: 'CASE#1', sk: 'CASE' } } },
            {
              Update: {
                TableName: 't',
                Key: { pk: 'M#1', sk: 'M' },
                UpdateExpression: 'SET a = :a',
                ExpressionAttributeValues: { ':a': 1 },
              },
            },
            {
              ConditionCheck: {
                TableName: 't',
                Key: { pk: 'X', sk: 'X' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      await s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'materials/2026-12/m-1' }));
    });
    // Concurrent functions keep their own attribution.
    await Promise.all([
      runAsFunction('list-tasks', () =>
        dynamo.send(
          new QueryCommand({ TableName: 't', IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p' }),
        ),
      ),
      runAsFunction('create-material', async () => {
        // A presigned PUT needs s3:PutObject of the function that signs it.
        const url = await getSignedUrl(
          s3,
          new PutObjectCommand({ Bucket: 'b', Key: 'materials/2026-12/m-2' }),
          {
            expiresIn: 60,
          },
        );
        expect(url).toContain('X-Amz-Signature=');
      }),
      dynamo.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'pk = :p' })),
    ]);
    recordStandIn('kms', 'Sign', {}, 'local signer');
    expect(summary(recording)).toEqual([
      '- dynamodb:Query table [Query]',
      '- kms:Sign signing-key [Sign (local signer)]',
      'create-material s3:PutObject bucket-object/materials [PutObject (presigned)]',
      'list-tasks dynamodb:Query table-index/gsi1 [Query]',
      'submit-case dynamodb:ConditionCheckItem table [TransactWriteItems]',
      'submit-case dynamodb:PutItem table [TransactWriteItems]',
      'submit-case dynamodb:UpdateItem table [TransactWriteItems]',
      'submit-case s3:GetObject bucket-object/materials [HeadObject]',
    ]);
    expect(recording.total).toBe(6);
  });

  it('maps SDK commands to the IAM actions AWS checks for them', () => {
    const actions = (service: Parameters<typeof permissionsOf>[0], command: string, input = {}) =>
      permissionsOf(service, command, input).map((p) => `${p.action} ${p.resource.kind}`);
    expect(actions('sqs', 'SendMessageBatch')).toEqual(['sqs:SendMessage queue']);
    expect(actions('sfn', 'StopExecution')).toEqual(['states:StopExecution execution']);
    expect(actions('sfn', 'SendTaskSuccess')).toEqual(['states:SendTaskSuccess any']);
    expect(actions('sfn', 'StartExecution')).toEqual(['states:StartExecution state-machine']);
    expect(actions('s3', 'ListObjectsV2')).toEqual(['s3:ListBucket bucket']);
    expect(actions('s3', 'GetObject', { Key: 'k', VersionId: 'v' })).toEqual([
      's3:GetObjectVersion bucket-object',
    ]);
    expect(actions('dynamodb', 'TransactGetItems', { TransactItems: [{ Get: {} }] })).toEqual([
      'dynamodb:GetItem table',
    ]);
    expect(actions('dynamodb', 'BatchGetItem')).toEqual(['dynamodb:BatchGetItem table']);
  });
});
