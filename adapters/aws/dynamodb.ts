/**
 * A DynamoDB document client: the command classes and shapes of `@aws-sdk/lib-dynamodb` that the
 * repositories use, over the JSON protocol (json-client.ts), marshalled by the SDK's own
 * `@aws-sdk/util-dynamodb` (removeUndefinedValues, no class instances as maps). Inputs are
 * marshalled and outputs unmarshalled inside the middleware stack's terminal, so middlewares see
 * document shapes, as with the SDK's document client. Output ConsumedCapacity passes through.
 */
import { randomUUID } from 'node:crypto';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type marshallOptions, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  Command,
  JsonClient,
  type JsonClientOptions,
  type OutputOf,
  PROTOCOLS,
  type SendCallOptions,
} from './json-client.ts';
import { type CommandLike, commandNameOf } from './middleware.ts';

type Item = Record<string, unknown>;

export class GetCommand extends Command<GetCommandInput, GetCommandOutput> {
  readonly commandName = 'GetCommand';
}
export class PutCommand extends Command<PutCommandInput, PutCommandOutput> {
  readonly commandName = 'PutCommand';
}
export class UpdateCommand extends Command<UpdateCommandInput, UpdateCommandOutput> {
  readonly commandName = 'UpdateCommand';
}
export class DeleteCommand extends Command<DeleteCommandInput, DeleteCommandOutput> {
  readonly commandName = 'DeleteCommand';
}
export class QueryCommand extends Command<QueryCommandInput, QueryCommandOutput> {
  readonly commandName = 'QueryCommand';
}
export class ScanCommand extends Command<ScanCommandInput, ScanCommandOutput> {
  readonly commandName = 'ScanCommand';
}
export class BatchGetCommand extends Command<BatchGetCommandInput, BatchGetCommandOutput> {
  readonly commandName = 'BatchGetCommand';
}
export class BatchWriteCommand extends Command<BatchWriteCommandInput, BatchWriteCommandOutput> {
  readonly commandName = 'BatchWriteCommand';
}
export class TransactWriteCommand extends Command<TransactWriteCommandInput, TransactWriteCommandOutput> {
  readonly commandName = 'TransactWriteCommand';
}

/** Document command → DynamoDB operation (lib-dynamodb's names). */
export const DOCUMENT_OPERATIONS: Readonly<Record<string, string>> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactWriteCommand: 'TransactWriteItems',
};

export const MARSHALL_OPTIONS: marshallOptions = {
  removeUndefinedValues: true,
  convertClassInstanceToMap: false,
};

/** Members holding one item (or key) in document shape, wherever they appear in a request or answer. */
const ITEM_MEMBERS = new Set([
  'Key',
  'Item',
  'ExpressionAttributeValues',
  'ExclusiveStartKey',
  'Attributes',
  'LastEvaluatedKey',
]);
/** Members holding a list of items. */
const ITEM_LIST_MEMBERS = new Set(['Keys', 'Items']);

/**
 * Marshals (document → AttributeValue) every item member of an input, at any depth (TransactItems,
 * RequestItems…); the items' own contents are never walked for member names.
 */
export function marshallInput(value: unknown, options: marshallOptions = MARSHALL_OPTIONS): unknown {
  if (Array.isArray(value)) return value.map((v) => marshallInput(v, options));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (ITEM_MEMBERS.has(k) && v && typeof v === 'object') out[k] = marshall(v as Item, options);
    else if (ITEM_LIST_MEMBERS.has(k) && Array.isArray(v))
      out[k] = v.map((i) => marshall(i as Item, options));
    else out[k] = marshallInput(v, options);
  }
  return out;
}

/** Base64 binaries of the JSON wire → Uint8Array, as the SDK decodes them before unmarshalling. */
function decodeBinaries(av: unknown): unknown {
  if (!av || typeof av !== 'object') return av;
  const a = av as Record<string, unknown>;
  if (typeof a.B === 'string') return { B: new Uint8Array(Buffer.from(a.B, 'base64')) };
  if (Array.isArray(a.BS)) return { BS: a.BS.map((b) => new Uint8Array(Buffer.from(String(b), 'base64'))) };
  if (Array.isArray(a.L)) return { L: a.L.map(decodeBinaries) };
  if (a.M && typeof a.M === 'object') return { M: decodeItem(a.M as Item) };
  return av;
}
const decodeItem = (item: Item): Item =>
  Object.fromEntries(Object.entries(item).map(([k, v]) => [k, decodeBinaries(v)]));
const toDocument = (item: unknown) =>
  unmarshall(decodeItem(item as Item) as Parameters<typeof unmarshall>[0]);

/** Unmarshals every item member of an output (or an error's fields), at any depth. */
export function unmarshallOutput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unmarshallOutput);
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (ITEM_MEMBERS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) out[k] = toDocument(v);
    else if (ITEM_LIST_MEMBERS.has(k) && Array.isArray(v)) out[k] = v.map(toDocument);
    else if (k === 'Responses' && v && typeof v === 'object' && !Array.isArray(v))
      // BatchGetItem: table → items (TransactGetItems' Responses is a list of { Item }).
      out[k] = Object.fromEntries(
        Object.entries(v).map(([table, items]) => [table, (items as unknown[]).map(toDocument)]),
      );
    else out[k] = unmarshallOutput(v);
  }
  return out;
}

/** The operation and whether its input and output are in document shape (ours and lib-dynamodb's) or wire shape. */
function operationOf(commandName: string): { operation: string; document: boolean } {
  const document = DOCUMENT_OPERATIONS[commandName];
  return document
    ? { operation: document, document: true }
    : { operation: commandName.replace(/Command$/, ''), document: false };
}

/** Runs in place of the SDK's DynamoDBDocumentClient: `dynamo.send(new GetCommand({...}))`. */
export class DynamoDocumentClient extends JsonClient {
  constructor(options: JsonClientOptions = {}) {
    super(PROTOCOLS.dynamodb, options);
  }

  override async send<C extends CommandLike>(
    command: C,
    options: SendCallOptions = {},
  ): Promise<OutputOf<C>> {
    const { operation, document } = operationOf(commandNameOf(command));
    const result = await this.run(`${operation}Command`, { ...(command.input as Item) }, async (args) => {
      const wire = (document ? marshallInput(args.input) : args.input) as Item;
      // As the SDK does (an idempotency token of the model): a retried transaction is applied once.
      if (operation === 'TransactWriteItems' && wire.ClientRequestToken === undefined)
        wire.ClientRequestToken = randomUUID();
      try {
        const output = await this.call(operation, wire, options);
        return { output: document ? (unmarshallOutput(output) as Item) : output };
      } catch (err) {
        // A cancelled transaction's reasons (and a failed condition's Item) in document shape.
        if (document && err && typeof err === 'object') {
          const e = err as Item;
          if (Array.isArray(e.CancellationReasons))
            e.CancellationReasons = unmarshallOutput(e.CancellationReasons);
          if (e.Item && typeof e.Item === 'object') e.Item = toDocument(e.Item);
        }
        throw err;
      }
    });
    return result.output as OutputOf<C>;
  }
}
