/**
 * The local event source mapping against DynamoDB Local's real stream (the test run's stack's
 * DynamoDB Local, a table of this test's own): the table setup gives a table its stream (a new one
 * and one kept from before without it), only the filter's records reach the function, a restart
 * goes on from the checkpoint — nothing handed over again, nothing committed meanwhile missed —
 * and a batch item failure is handed over again from that record.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_STREAM_FILTER } from '#adapters/dynamodb/outbox.ts';
import { ensureTable } from './setup/tables.ts';
import { type StreamMapping, startStreamMapping } from './stream-poller.ts';

const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB!;
const region = process.env.AWS_REGION ?? 'us-east-1';
const client = new DynamoDBClient({ endpoint, region });
const tables: string[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'yjs-stream-'));
});
afterAll(async () => {
  for (const TableName of tables)
    await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
  client.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function newTable(): Promise<string> {
  const name = `stream-test-${randomUUID().slice(0, 8)}`;
  tables.push(name);
  await ensureTable(client, name);
  return name;
}

const put = (TableName: string, pk: string, type: string) =>
  client.send(
    new PutItemCommand({
      TableName,
      Item: { pk: { S: pk }, sk: { S: 'X' }, type: { S: type }, eventId: { S: pk } },
    }),
  );

/** A mapping on `table` whose function records what it is handed and answers `answer`. */
function mapping(
  table: string,
  checkpointFile: string,
  answer: (event: DynamoDBStreamEvent) => DynamoDBBatchResponse = () => ({ batchItemFailures: [] }),
) {
  const handed: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const m: StreamMapping = startStreamMapping({
    endpoint,
    region,
    tableName: table,
    filter: OUTBOX_STREAM_FILTER,
    checkpointFile,
    pollEveryMs: 20,
    async invoke(event) {
      const r = answer(event);
      const failed = new Set(r.batchItemFailures.map((f) => f.itemIdentifier));
      let failing = false;
      for (const rec of event.Records) {
        failing ||= failed.has(rec.dynamodb!.SequenceNumber!);
        if (!failing) handed.push(rec.dynamodb!.NewImage!.pk!.S!);
      }
      for (const w of waiters.filter((x) => handed.length >= x.n)) w.resolve();
      return r;
    },
  });
  return {
    handed,
    stop: () => m.stop(),
    /** Resolves once `n` records have been handled (not failed). */
    until: (n: number) =>
      handed.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
}

describe('the local table stream mapping', () => {
  it('gives a table created by the setup its stream (new images), and one kept from before without it', async () => {
    const created = await newTable();
    const kept = `stream-test-${randomUUID().slice(0, 8)}`;
    tables.push(kept);
    await client.send(
      new CreateTableCommand({
        TableName: kept,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await ensureTable(client, kept);
    for (const TableName of [created, kept]) {
      const t = await client.send(new DescribeTableCommand({ TableName }));
      expect(t.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      expect(t.Table?.LatestStreamArn).toBeTruthy();
    }
  });

  it('hands over only new outbox items, and after a restart only what came since', async () => {
    const table = await newTable();
    const checkpoint = join(dir, `${table}.json`);
    await put(table, 'e1', 'outbox');
    await put(table, 'case', 'case'); // not an outbox item
    await put(table, 'e2', 'outbox');
    // A change of an outbox item (MODIFY) is not a new event.
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'e1' }, sk: { S: 'X' } },
        UpdateExpression: 'SET seen = :t',
        ExpressionAttributeValues: { ':t': { BOOL: true } },
      }),
    );
    const first = mapping(table, checkpoint);
    await first.until(2);
    // A marker after them: once it is handed over, nothing before it can still be on its way.
    await put(table, 'm1', 'outbox');
    await first.until(3);
    await first.stop();
    expect(first.handed).toEqual(['e1', 'e2', 'm1']);
    expect(JSON.parse(readFileSync(checkpoint, 'utf8')).shards).not.toEqual({});

    // Committed while nothing reads the stream.
    await put(table, 'e3', 'outbox');
    const second = mapping(table, checkpoint);
    await second.until(1);
    await put(table, 'm2', 'outbox');
    await second.until(2);
    await second.stop();
    expect(second.handed).toEqual(['e3', 'm2']);
  });

  it('hands a batch over again from the record the function reports failed, not before it', async () => {
    const table = await newTable();
    let failOnce = true;
    const m = mapping(table, join(dir, `${table}.json`), (event) => {
      const second = event.Records.find((r) => r.dynamodb?.NewImage?.pk?.S === 'f2');
      if (failOnce && second) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: second.dynamodb!.SequenceNumber! }] };
      }
      return { batchItemFailures: [] };
    });
    for (const pk of ['f1', 'f2', 'f3']) await put(table, pk, 'outbox');
    await m.until(3);
    await put(table, 'f4', 'outbox');
    await m.until(4);
    await m.stop();
    expect(failOnce).toBe(false);
    // f1 once (it had succeeded), f2 and f3 after the retry, then f4.
    expect(m.handed).toEqual(['f1', 'f2', 'f3', 'f4']);
  });
});
