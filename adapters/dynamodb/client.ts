/** One DynamoDB document client per container, created at module scope (endpoint from the SDK's env). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { recordCallsOf } from '../aws-call-recorder.ts';

export const dynamo = recordCallsOf(
  'dynamodb',
  DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);
