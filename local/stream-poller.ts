/**
 * A DynamoDB Streams event source mapping on this machine: what the Lambda service's poller does
 * in AWS for a function on a table's stream, against DynamoDB Local's stream.
 *
 *  - DescribeTable → LatestStreamArn → DescribeStream (every shard, the children a closed shard
 *    leaves included, each read only after its parent is read to its end) → GetShardIterator →
 *    GetRecords, every `pollEveryMs` while the shards are idle and at once while records come;
 *  - each batch (at most `batchSize` records of one shard, in order) is filtered with the
 *    mapping's filter (an event pattern, as Lambda's FilterCriteria takes it); the records that
 *    pass become one `DynamoDBStreamEvent` shaped as Lambda builds it, handed to `invoke`;
 *  - the answer's `batchItemFailures` (ReportBatchItemFailures) are honoured: the shard is read
 *    again from the first failed record; a thrown error retries the whole batch. Retries back off
 *    (100 ms doubling, at most 5 s) and stop after `retryAttempts` (the mapping's), when the batch
 *    is skipped with an error naming its position — in AWS the on-failure destination gets that
 *    position;
 *  - the position reached — the last sequence number handled per shard — is the checkpoint, kept
 *    in `checkpointFile` (written after every batch, before the next is read), so a restart goes
 *    on where the last run stopped: a record handled before the stop is not handed over again, one
 *    committed but not yet handled is. A batch in flight when the process is killed is handed
 *    over again (at least once, as in AWS).
 *  - Without a checkpoint (or for another stream ARN: the table was created anew) it starts at the
 *    trim horizon, as the deployed mapping does (StartingPosition TRIM_HORIZON). Records past the
 *    stream's retention (24 h, in DynamoDB Local too) are gone: a checkpoint older than the trim
 *    horizon resumes at the oldest record left, with a warning — what was trimmed is lost to the
 *    consumer, as it is in AWS after `maxRecordAge`.
 *
 * Its clients are its own (not adapters/'s): these calls stand for the Lambda service, not for the
 * product — neither the IAM proof nor the bench's meters see them.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type AttributeValue,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
} from 'aws-lambda';

/** An event pattern as Lambda's filter criteria hold it: literal values to match, nested by field. */
export type EventPattern = { readonly [field: string]: readonly (string | number)[] | EventPattern };

export interface StreamMappingOptions {
  /** DynamoDB Local's endpoint (its stream is served on the same port). */
  readonly endpoint: string;
  readonly region: string;
  readonly tableName: string;
  /** Only records matching it reach `invoke` (the others are passed over, as Lambda does). */
  readonly filter: EventPattern;
  /** Where the position reached is kept between runs (JSON). */
  readonly checkpointFile: string;
  /** The function, invoked with one batch; its answer may name the first record that failed. */
  invoke(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined | null>;
  /** @default 25 (the deployed mapping's batchSize) */
  readonly batchSize?: number;
  /** @default 100 */
  readonly pollEveryMs?: number;
  /** @default 20 (the deployed mapping's retryAttempts) */
  readonly retryAttempts?: number;
  readonly log?: StreamLog;
}

export interface StreamLog {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

export interface StreamMapping {
  /** Stops polling; resolves once a batch in flight is handled and its checkpoint written. */
  stop(): Promise<void>;
}

/** What the checkpoint file holds: per shard, the last sequence number handled, or that it is done. */
export interface Checkpoint {
  readonly streamArn: string | undefined;
  readonly shards: Record<string, { readonly after?: string; readonly done?: true }>;
}

const RETRY_BASE_MS = 100;
const RETRY_CAP_MS = 5_000;
/** A shard list is refreshed this often even if no shard closed (new shards of a split). */
const DESCRIBE_EVERY_MS = 10_000;

// ───────────────────────────── pure parts ─────────────────────────────

/** Does `value` match `pattern` (every field named; a list is the values allowed there)? */
export function matchesPattern(value: unknown, pattern: EventPattern): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) =>
    Array.isArray(rule)
      ? (rule as readonly unknown[]).includes(v[field])
      : matchesPattern(v[field], rule as EventPattern),
  );
}

/** An attribute value as Lambda's event carries it (JSON: binaries in base64). */
export function lambdaAttribute(a: AttributeValue): LambdaAttributeValue {
  const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
  if (a.S !== undefined) return { S: a.S };
  if (a.N !== undefined) return { N: a.N };
  if (a.B !== undefined) return { B: b64(a.B) };
  if (a.BOOL !== undefined) return { BOOL: a.BOOL };
  if (a.NULL !== undefined) return { NULL: a.NULL };
  if (a.SS !== undefined) return { SS: a.SS };
  if (a.NS !== undefined) return { NS: a.NS };
  if (a.BS !== undefined) return { BS: a.BS.map(b64) };
  if (a.L !== undefined) return { L: a.L.map(lambdaAttribute) };
  // What is left is a map (every other member was tried).
  return { M: lambdaImage(a.M ?? {}) };
}

function lambdaImage(image: Record<string, AttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, lambdaAttribute(v)]));
}

/** One stream record as the Lambda service hands it to a function (eventSourceARN, epoch seconds). */
export function lambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const at = d.ApproximateCreationDateTime;
  return {
    eventID: record.eventID ?? randomUUID(),
    ...(record.eventName ? { eventName: record.eventName } : {}),
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(at ? { ApproximateCreationDateTime: Math.floor(new Date(at).getTime() / 1000) } : {}),
      ...(d.Keys ? { Keys: lambdaImage(d.Keys) } : {}),
      ...(d.NewImage ? { NewImage: lambdaImage(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: lambdaImage(d.OldImage) } : {}),
      ...(d.SequenceNumber ? { SequenceNumber: d.SequenceNumber } : {}),
      ...(d.SizeBytes !== undefined ? { SizeBytes: d.SizeBytes } : {}),
      ...(d.StreamViewType ? { StreamViewType: d.StreamViewType } : {}),
    },
    eventSourceARN: streamArn,
  };
}

/**
 * Where a shard stands after a batch of `records` (all read, `handed` of them invoked) answered
 * `failures` (null: the invocation threw): the last sequence number handled, and whether to read
 * again from there (a retry) — Lambda's rule: from the lowest failed record; an identifier it
 * cannot find fails the whole batch.
 */
export function afterBatch(
  records: readonly { readonly seq: string }[],
  handed: readonly { readonly seq: string }[],
  failures: readonly string[] | null,
  previous: string | undefined,
): { after: string | undefined; retry: boolean } {
  const last = records.at(-1)?.seq ?? previous;
  if (failures === null) return { after: previous, retry: handed.length > 0 };
  if (failures.length === 0) return { after: last, retry: false };
  const failedAt = records.findIndex((r) => failures.includes(r.seq));
  if (failedAt < 0 || !handed.some((h) => failures.includes(h.seq))) return { after: previous, retry: true };
  return { after: failedAt === 0 ? previous : records[failedAt - 1]!.seq, retry: true };
}

/** The shards to read now, in order: not done, and whose parent (if still listed) is done. */
export function readableShards(shards: readonly Shard[], checkpoint: Checkpoint): Shard[] {
  const listed = new Set(shards.map((s) => s.ShardId));
  return shards.filter(
    (s) =>
      s.ShardId &&
      !checkpoint.shards[s.ShardId]?.done &&
      (!s.ParentShardId || !listed.has(s.ParentShardId) || checkpoint.shards[s.ParentShardId]?.done),
  );
}

// ───────────────────────────── the poller ─────────────────────────────

function readCheckpoint(file: string): Checkpoint {
  if (!existsSync(file)) return { streamArn: undefined, shards: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Checkpoint>;
    return { streamArn: parsed.streamArn, shards: { ...(parsed.shards ?? {}) } };
  } catch {
    return { streamArn: undefined, shards: {} };
  }
}

function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(tmp, file);
}

const errorName = (err: unknown) => (err as { name?: string }).name ?? '';

/**
 * The calls every mapping of this process has made of DynamoDB Local's stream and table (not the
 * product's: in AWS they are the Lambda service's, free and apart from the table), for the
 * saturation bench, which reports them beside the product's calls: DynamoDB Local serves both.
 */
export const streamPollerCalls = { getRecords: 0, records: 0, other: 0 };

export function startStreamMapping(options: StreamMappingOptions): StreamMapping {
  const batchSize = options.batchSize ?? 25;
  const pollEveryMs = options.pollEveryMs ?? 100;
  const retryAttempts = options.retryAttempts ?? 20;
  const log: StreamLog = options.log ?? {
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const config = {
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  };
  const ddb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);

  let checkpoint = readCheckpoint(options.checkpointFile);
  let streamArn: string | undefined;
  let shards: Shard[] = [];
  let describedAt = 0;
  const iterators = new Map<string, string>();
  /** Per shard: retries of the batch at its position so far, and when the next may run. */
  const retries = new Map<string, { attempts: number; at: number }>();
  let stopped = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();

  const save = (shardId: string, state: { after?: string; done?: true }) => {
    checkpoint = { streamArn, shards: { ...checkpoint.shards, [shardId]: state } };
    writeCheckpoint(options.checkpointFile, checkpoint);
  };

  const describe = async () => {
    if (!streamArn) {
      streamPollerCalls.other++;
      const t = await ddb.send(new DescribeTableCommand({ TableName: options.tableName }));
      streamArn = t.Table?.LatestStreamArn;
      if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
      if (checkpoint.streamArn !== streamArn) {
        if (checkpoint.streamArn)
          log.warn('table stream is new: reading it from its trim horizon', { streamArn });
        checkpoint = { streamArn, shards: {} };
        writeCheckpoint(options.checkpointFile, checkpoint);
      }
    }
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      streamPollerCalls.other++;
      const r = await streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      all.push(...(r.StreamDescription?.Shards ?? []));
      start = r.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    shards = all;
    describedAt = Date.now();
    // Shards trimmed away: their checkpoint entries go too.
    const listed = new Set(all.map((s) => s.ShardId));
    const kept = Object.fromEntries(Object.entries(checkpoint.shards).filter(([id]) => listed.has(id)));
    if (Object.keys(kept).length !== Object.keys(checkpoint.shards).length) {
      checkpoint = { streamArn, shards: kept };
      writeCheckpoint(options.checkpointFile, checkpoint);
    }
  };

  const iteratorOf = async (shardId: string): Promise<string | undefined> => {
    const known = iterators.get(shardId);
    if (known) return known;
    const after = checkpoint.shards[shardId]?.after;
    const get = (type: 'AFTER_SEQUENCE_NUMBER' | 'TRIM_HORIZON') =>
      streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: after } : {}),
        }),
      );
    let r: Awaited<ReturnType<typeof get>>;
    streamPollerCalls.other++;
    try {
      r = await get(after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON');
    } catch (err) {
      if (!after || errorName(err) !== 'TrimmedDataAccessException') throw err;
      log.warn(
        'stream records after the checkpoint were trimmed (older than 24 h): resuming at the oldest left',
        {
          shardId,
          after,
        },
      );
      r = await get('TRIM_HORIZON');
    }
    if (r.ShardIterator) iterators.set(shardId, r.ShardIterator);
    return r.ShardIterator;
  };

  /** One GetRecords of one shard and its batch handed over: how many records were read. */
  const readShard = async (shardId: string): Promise<number> => {
    const retry = retries.get(shardId);
    if (retry && Date.now() < retry.at) return 0;
    const iterator = await iteratorOf(shardId);
    if (!iterator) {
      // Nothing left to read in it (closed, and trimmed): its children are next.
      save(shardId, { ...checkpoint.shards[shardId], done: true });
      describedAt = 0;
      return 0;
    }
    let r: GetRecordsCommandOutput;
    try {
      streamPollerCalls.getRecords++;
      r = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
    } catch (err) {
      // An expired or trimmed iterator: the next read starts again from the checkpoint.
      if (['ExpiredIteratorException', 'TrimmedDataAccessException'].includes(errorName(err))) {
        iterators.delete(shardId);
        return 0;
      }
      throw err;
    }
    streamPollerCalls.records += r.Records?.length ?? 0;
    const records = (r.Records ?? []).map((record) => ({
      record,
      seq: record.dynamodb?.SequenceNumber ?? '',
      lambda: lambdaRecord(record, streamArn!, options.region),
    }));
    const handed = records.filter((x) => matchesPattern(x.lambda, options.filter));
    const previous = checkpoint.shards[shardId]?.after;
    let failures: string[] | null = [];
    if (handed.length) {
      try {
        const answer = await options.invoke({ Records: handed.map((x) => x.lambda) });
        failures = (answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      } catch (err) {
        log.warn('stream batch failed; retrying it', { shardId, error: (err as Error).message });
        failures = null;
      }
    }
    const next = afterBatch(records, handed, failures, previous);
    if (next.retry) {
      const attempts = (retry?.attempts ?? 0) + 1;
      iterators.delete(shardId);
      if (attempts > retryAttempts) {
        // As the mapping does once its retries are spent: the batch is skipped, its position told.
        log.error('stream batch skipped after its retries (AWS: its position goes to the on-failure queue)', {
          shardId,
          firstSequenceNumber: records[0]?.seq,
          lastSequenceNumber: records.at(-1)?.seq,
        });
        retries.delete(shardId);
        save(shardId, { ...(records.at(-1) ? { after: records.at(-1)!.seq } : {}) });
      } else {
        retries.set(shardId, {
          attempts,
          at: Date.now() + Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempts - 1)),
        });
        if (next.after !== previous && next.after) save(shardId, { after: next.after });
      }
      return records.length;
    }
    retries.delete(shardId);
    if (r.NextShardIterator) {
      iterators.set(shardId, r.NextShardIterator);
      if (next.after !== previous && next.after) save(shardId, { after: next.after });
    } else {
      // Closed and read to its end: its children (listed at the next describe) come next.
      iterators.delete(shardId);
      save(shardId, { ...(next.after ? { after: next.after } : {}), done: true });
      describedAt = 0;
    }
    return records.length;
  };

  /** Reads every readable shard once: how many records were read. */
  const poll = async (): Promise<number> => {
    if (stopped) return 0;
    if (!streamArn || Date.now() - describedAt > DESCRIBE_EVERY_MS) await describe();
    let read = 0;
    for (const shard of readableShards(shards, checkpoint)) {
      if (stopped) break;
      read += await readShard(shard.ShardId!);
    }
    return read;
  };

  const loop = () => {
    if (stopped) return;
    const run = poll().then(
      (read) => {
        if (failing) log.info('table stream readable again');
        failing = false;
        return read;
      },
      (err: unknown) => {
        // DynamoDB Local down or restarting: said once, then tried again quietly.
        if (!failing) log.warn('table stream poll failed', { error: (err as Error).message });
        failing = true;
        streamArn = undefined;
        iterators.clear();
        return -1;
      },
    );
    current = run;
    void run.then((read) => {
      if (stopped) return;
      // Records came: read on at once; idle or failing: wait (longer while it fails).
      timer = setTimeout(loop, read > 0 ? 0 : read < 0 ? Math.max(pollEveryMs, 1000) : pollEveryMs);
      timer.unref();
    });
  };
  timer = setTimeout(loop, 0);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current.catch(() => undefined);
      ddb.destroy();
      streams.destroy();
    },
  };
}
