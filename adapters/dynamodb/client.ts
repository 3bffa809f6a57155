/**
 * One DynamoDB document client per container, created at module scope: the lean client
 * (adapters/aws/dynamodb.ts; endpoint, region and credentials from the environment, as the SDK
 * reads them), with the SDK's document shapes and marshalling options.
 */

import { recordCallsOf } from '#adapters/aws-call-recorder.ts';
import { DynamoDocumentClient } from '../aws/dynamodb.ts';

export const dynamo = recordCallsOf('dynamodb', new DynamoDocumentClient());
