/** API Gateway proxy events for calling a handler file directly, as the deployed API would. */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaContext } from '../../local/lambda-registry.ts';

export function proxyEvent(options: {
  method: string;
  path: string;
  resource: string;
  pathParameters?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  authorizer?: Record<string, string>;
}): APIGatewayProxyEvent {
  return {
    resource: options.resource,
    path: options.path,
    httpMethod: options.method,
    headers: { 'content-type': 'application/json', host: 'localhost', ...options.headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      stage: '$default',
      authorizer: options.authorizer ?? null,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export async function invoke(
  handler: (e: APIGatewayProxyEvent, c: ReturnType<typeof lambdaContext>) => Promise<APIGatewayProxyResult>,
  event: APIGatewayProxyEvent,
) {
  const res = await handler(event, lambdaContext('test'));
  return {
    status: res.statusCode,
    headers: res.headers ?? {},
    body: res.body ? JSON.parse(res.body) : undefined,
  };
}
