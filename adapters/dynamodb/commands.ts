/** The DynamoDB document commands the repositories build: the lean client's (adapters/aws/dynamodb.ts), not the SDK's. */
export {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '../aws/dynamodb.ts';

import type { TransactWriteCommand } from '../aws/dynamodb.ts';

/** The items of one TransactWriteItems, as the repositories assemble them. */
export type TransactItems = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>;

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;
