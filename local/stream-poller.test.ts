/**
 * The pure parts of the local event source mapping (local/stream-poller.ts): the filter, the
 * record as Lambda hands it over, where a shard stands after a batch, and the order of shards.
 * Against DynamoDB Local's real stream: stream-poller.int.test.ts.
 */
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import {
  afterBatch,
  type Checkpoint,
  lambdaRecord,
  matchesPattern,
  readableShards,
} from './stream-poller.ts';

const PATTERN = { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['outbox'] } } } } as const;

describe('the filter (an event pattern)', () => {
  it('lets through a record whose every named field has one of the values listed', () => {
    const insert = { eventName: 'INSERT', dynamodb: { NewImage: { type: { S: 'outbox' }, pk: { S: 'x' } } } };
    expect(matchesPattern(insert, PATTERN)).toBe(true);
    expect(matchesPattern({ ...insert, eventName: 'MODIFY' }, PATTERN)).toBe(false);
    expect(
      matchesPattern({ eventName: 'INSERT', dynamodb: { NewImage: { type: { S: 'case' } } } }, PATTERN),
    ).toBe(false);
    // A REMOVE (TTL) has no new image at all.
    expect(matchesPattern({ eventName: 'REMOVE', dynamodb: {} }, PATTERN)).toBe(false);
    expect(matchesPattern({ eventName: 'INSERT' }, PATTERN)).toBe(false);
  });
});

describe('a stream record as Lambda hands it over', () => {
  it('names its stream, its region, the creation time in epoch seconds, and binaries in base64', () => {
    const record: StreamRecord = {
      eventID: 'ev-1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2025-03-01T08:00:00.000Z'),
        Keys: { pk: { S: 'OUTBOX#c-1' } },
        NewImage: {
          type: { S: 'outbox' },
          n: { N: '3' },
          b: { B: new Uint8Array([1, 2]) },
          m: { M: { l: { L: [{ BOOL: true }, { NULL: true }] } } },
        },
        SequenceNumber: '000000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_IMAGE',
      },
    };
    expect(lambdaRecord(record, 'arn:stream', 'ap-east-1')).toEqual({
      eventID: 'ev-1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ap-east-1',
      eventSourceARN: 'arn:stream',
      dynamodb: {
        ApproximateCreationDateTime: 1740816000,
        Keys: { pk: { S: 'OUTBOX#c-1' } },
        NewImage: {
          type: { S: 'outbox' },
          n: { N: '3' },
          b: { B: 'AQI=' },
          m: { M: { l: { L: [{ BOOL: true }, { NULL: true }] } } },
        },
        SequenceNumber: '000000000000000000001',
        SizeBytes: 42,
        StreamViewType: 'NEW_IMAGE',
      },
    });
  });
});

describe('where a shard stands after a batch', () => {
  const records = ['1', '2', '3', '4'].map((seq) => ({ seq }));
  const handed = [records[1]!, records[2]!, records[3]!]; // record 1 did not pass the filter

  it('moves past the whole batch when nothing failed (the records filtered out too)', () => {
    expect(afterBatch(records, handed, [], '0')).toEqual({ after: '4', retry: false });
    expect(afterBatch(records, [], [], '0')).toEqual({ after: '4', retry: false });
    expect(afterBatch([], [], [], '0')).toEqual({ after: '0', retry: false });
  });

  it('reads again from the first failed record, past what came before it', () => {
    expect(afterBatch(records, handed, ['3'], '0')).toEqual({ after: '2', retry: true });
    expect(afterBatch(records, handed, ['4', '3'], '0')).toEqual({ after: '2', retry: true });
    expect(afterBatch(records, handed, ['2'], '0')).toEqual({ after: '1', retry: true });
  });

  it('retries the whole batch when the function threw or named no record of the batch', () => {
    expect(afterBatch(records, handed, null, '0')).toEqual({ after: '0', retry: true });
    expect(afterBatch(records, handed, [''], '0')).toEqual({ after: '0', retry: true });
    expect(afterBatch(records, handed, ['1'], undefined)).toEqual({ after: undefined, retry: true });
  });
});

describe('the shards to read', () => {
  const shards = [
    { ShardId: 'a' },
    { ShardId: 'b', ParentShardId: 'a' },
    { ShardId: 'c', ParentShardId: 'gone' },
  ];
  const checkpoint = (shards: Checkpoint['shards']): Checkpoint => ({ streamArn: 'arn', shards });

  it('reads a child only once its parent is read to its end (or trimmed away)', () => {
    expect(readableShards(shards, checkpoint({})).map((s) => s.ShardId)).toEqual(['a', 'c']);
    expect(readableShards(shards, checkpoint({ a: { after: '5' } })).map((s) => s.ShardId)).toEqual([
      'a',
      'c',
    ]);
    expect(
      readableShards(shards, checkpoint({ a: { after: '5', done: true } })).map((s) => s.ShardId),
    ).toEqual(['b', 'c']);
  });
});
