/**
 * Creates the single table (same shape as the deployed one) in DynamoDB Local, if missing — its
 * stream included (new images, as infra/city-stack.ts deploys it: the webhooks' outbox reaches
 * enqueue-webhooks through it). A table kept from an earlier run (--persist) without a stream gets
 * one; the stream then starts with the records written from now on.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  StreamViewType,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_SHAPE } from '#adapters/dynamodb/table.ts';

const STREAM = { StreamEnabled: true, StreamViewType: StreamViewType.NEW_IMAGE } as const;

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attrs = new Set<string>([TABLE_SHAPE.partitionKey, TABLE_SHAPE.sortKey]);
  for (const ix of TABLE_SHAPE.indexes) attrs.add(ix.partitionKey).add(ix.sortKey);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_SHAPE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_SHAPE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE_SHAPE.indexes.map((ix) => ({
          IndexName: ix.name,
          KeySchema: [
            { AttributeName: ix.partitionKey, KeyType: 'HASH' },
            { AttributeName: ix.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: STREAM,
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_SHAPE.ttlAttribute, Enabled: true },
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const stream = existing.Table?.StreamSpecification;
    if (stream?.StreamEnabled && stream.StreamViewType === STREAM.StreamViewType) return;
    // Another view type: a table has one stream at a time, so that one goes first.
    if (stream?.StreamEnabled)
      await client.send(
        new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }),
      );
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
  }
}
