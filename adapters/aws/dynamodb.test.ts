/**
 * The lean DynamoDB document client: inputs marshalled and outputs unmarshalled as lib-dynamodb
 * does (every item member of every command the repositories send; undefined removed), against
 * a local server that answers in wire shape; middlewares see document shapes; a transaction gets
 * an idempotency token; a cancelled transaction's reasons come back in document shape.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand as SdkGetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDocumentClient,
  GetCommand,
  marshallInput,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  unmarshallOutput,
} from './dynamodb.ts';
import { toJson } from './json-client.ts';

const item = {
  pk: 'CASE#c-1',
  sk: 'META',
  version: 3,
  ratio: 0.5,
  approved: true,
  note: null,
  tags: new Set(['a', 'b']),
  services: [{ id: 's-1', status: 'approved' }],
  nested: { deeper: { n: 1 } },
  bytes: new Uint8Array([1, 2, 3]),
};

describe('marshalling', () => {
  it('round-trips an item through the wire shape', () => {
    const wire = marshallInput({ TableName: 't', Item: item }) as { Item: Record<string, unknown> };
    expect(wire.Item.pk).toEqual({ S: 'CASE#c-1' });
    expect(wire.Item.tags).toEqual({ SS: ['a', 'b'] });
    expect(wire.Item.nested).toEqual({ M: { deeper: { M: { n: { N: '1' } } } } });
    // Through the JSON wire (binaries as base64) and back.
    const back = unmarshallOutput(JSON.parse(toJson(wire))) as { Item: unknown };
    expect(back.Item).toEqual(item);
  });

  it('marshals every item member at any depth, removing undefined values, and leaves names alone', () => {
    const wire = marshallInput({
      TransactItems: [
        {
          Put: {
            TableName: 't',
            Item: { pk: 'a', gone: undefined },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: 't',
            Key: { pk: 'b', sk: 'c' },
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': 'issued', ':u': undefined },
          },
        },
        { ConditionCheck: { TableName: 't', Key: { pk: 'd' }, ConditionExpression: 'x' } },
        { Delete: { TableName: 't', Key: { pk: 'e' } } },
      ],
      RequestItems: { t: { Keys: [{ pk: 'f' }], ProjectionExpression: 'pk' } },
      ExclusiveStartKey: { pk: 'g', sk: 1 },
    });
    expect(wire).toEqual({
      TransactItems: [
        {
          Put: { TableName: 't', Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' },
        },
        {
          Update: {
            TableName: 't',
            Key: { pk: { S: 'b' }, sk: { S: 'c' } },
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': { S: 'issued' } },
          },
        },
        { ConditionCheck: { TableName: 't', Key: { pk: { S: 'd' } }, ConditionExpression: 'x' } },
        { Delete: { TableName: 't', Key: { pk: { S: 'e' } } } },
      ],
      RequestItems: { t: { Keys: [{ pk: { S: 'f' } }], ProjectionExpression: 'pk' } },
      ExclusiveStartKey: { pk: { S: 'g' }, sk: { N: '1' } },
    });
    // An attribute that happens to be named like a member is data, not walked.
    expect(marshallInput({ Item: { Key: { Item: 'x' } } })).toEqual({
      Item: { Key: { M: { Item: { S: 'x' } } } },
    });
    // Class instances are refused (convertClassInstanceToMap: false), as with the SDK's options.
    expect(() => marshallInput({ Item: { at: new (class At {})() } })).toThrow();
  });

  it('unmarshals every item member of an answer and passes ConsumedCapacity through', () => {
    const a = marshall({ pk: 'a', n: 1 });
    expect(
      unmarshallOutput({
        Items: [a],
        LastEvaluatedKey: marshall({ pk: 'a' }),
        Responses: { t: [a] },
        UnprocessedKeys: { t: { Keys: [marshall({ pk: 'k' })] } },
        UnprocessedItems: {
          t: [{ PutRequest: { Item: a } }, { DeleteRequest: { Key: marshall({ pk: 'd' }) } }],
        },
        Attributes: a,
        ConsumedCapacity: [{ TableName: 't', CapacityUnits: 2, Table: { CapacityUnits: 2 } }],
      }),
    ).toEqual({
      Items: [{ pk: 'a', n: 1 }],
      LastEvaluatedKey: { pk: 'a' },
      Responses: { t: [{ pk: 'a', n: 1 }] },
      UnprocessedKeys: { t: { Keys: [{ pk: 'k' }] } },
      UnprocessedItems: {
        t: [{ PutRequest: { Item: { pk: 'a', n: 1 } } }, { DeleteRequest: { Key: { pk: 'd' } } }],
      },
      Attributes: { pk: 'a', n: 1 },
      ConsumedCapacity: [{ TableName: 't', CapacityUnits: 2, Table: { CapacityUnits: 2 } }],
    });
    // TransactGetItems: a list of { Item }.
    expect(unmarshallOutput({ Responses: [{ Item: a }, {}] })).toEqual({
      Responses: [{ Item: { pk: 'a', n: 1 } }, {}],
    });
  });
});

// ── the client, against a stand-in that answers in wire shape ──────────────────────────────────

const requests: { target: string; body: Record<string, unknown> }[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };
let server: Server;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        target: String(req.headers['x-amz-target']),
        body: JSON.parse(Buffer.concat(chunks).toString()),
      });
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
});
afterAll(async () => {
  process.env = { ...saved };
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  requests.length = 0;
  answer = { status: 200, body: {} };
});

describe('the document client', () => {
  it('sends wire shapes, answers document shapes, and middlewares see document shapes', async () => {
    const client = new DynamoDocumentClient();
    const inputs: unknown[] = [];
    const names: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        names.push(context.commandName);
        inputs.push(args.input);
        args.input.ReturnConsumedCapacity = 'INDEXES'; // as bench/lib/meters.ts does
        return next(args);
      },
      { step: 'initialize', name: 'probe', priority: 'high' },
    );
    answer = {
      status: 200,
      body: { Item: marshall({ pk: 'a', n: 2 }), ConsumedCapacity: { CapacityUnits: 0.5 } },
    };
    const got = await client.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));
    expect(got.Item).toEqual({ pk: 'a', n: 2 });
    expect(got.ConsumedCapacity).toEqual({ CapacityUnits: 0.5 });
    expect(requests[0]).toEqual({
      target: 'DynamoDB_20120810.GetItem',
      body: { TableName: 't', Key: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'INDEXES' },
    });
    expect(inputs[0]).toMatchObject({ Key: { pk: 'a' } });

    answer = {
      status: 200,
      body: { Items: [marshall({ pk: 'a' })], Count: 1, LastEvaluatedKey: marshall({ pk: 'a' }) },
    };
    const page = await client.send(
      new QueryCommand({
        TableName: 't',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'a' },
      }),
    );
    expect(page).toMatchObject({ Items: [{ pk: 'a' }], LastEvaluatedKey: { pk: 'a' }, Count: 1 });
    expect(requests[1]!.body.ExpressionAttributeValues).toEqual({ ':pk': { S: 'a' } });

    answer = { status: 200, body: { Responses: { t: [marshall({ pk: 'b' })] }, UnprocessedKeys: {} } };
    const batch = await client.send(new BatchGetCommand({ RequestItems: { t: { Keys: [{ pk: 'b' }] } } }));
    expect(batch.Responses).toEqual({ t: [{ pk: 'b' }] });

    answer = { status: 200, body: { UnprocessedItems: {} } };
    await client.send(
      new BatchWriteCommand({ RequestItems: { t: [{ PutRequest: { Item: { pk: 'c' } } }] } }),
    );
    expect(requests[3]!.body).toMatchObject({
      RequestItems: { t: [{ PutRequest: { Item: { pk: { S: 'c' } } } }] },
    });

    answer = { status: 200, body: { Attributes: marshall({ version: 4 }) } };
    const updated = await client.send(
      new UpdateCommand({
        TableName: 't',
        Key: { pk: 'a' },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': 4 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ version: 4 });
    expect(names).toEqual([
      'GetItemCommand',
      'QueryCommand',
      'BatchGetItemCommand',
      'BatchWriteItemCommand',
      'UpdateItemCommand',
    ]);
  });

  it("takes lib-dynamodb's own commands, by name", async () => {
    answer = { status: 200, body: { Item: marshall({ pk: 'z' }) } };
    const got = await new DynamoDocumentClient().send(
      new SdkGetCommand({ TableName: 't', Key: { pk: 'z' } }),
    );
    expect(got.Item).toEqual({ pk: 'z' });
    expect(requests[0]!.body.Key).toEqual({ pk: { S: 'z' } });
  });

  it('gives a transaction an idempotency token (a retried one is applied once), and a cancellation its reasons as documents', async () => {
    answer = {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]',
        CancellationReasons: [
          { Code: 'ConditionalCheckFailed', Item: marshall({ pk: 'a', version: 2 }) },
          { Code: 'None' },
        ],
      },
    };
    const err = await new DynamoDocumentClient()
      .send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 't', Item: { pk: 'a' } } }] }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'TransactionCanceledException',
      message: expect.stringContaining('ConditionalCheckFailed'),
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Item: { pk: 'a', version: 2 } },
        { Code: 'None' },
      ],
      $metadata: { httpStatusCode: 400 },
    });
    expect(requests).toHaveLength(1); // a client error: never retried
    expect(requests[0]!.body.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
  });
});
