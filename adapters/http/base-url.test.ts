/**
 * Links follow the host API Gateway was called at; X-Forwarded-Host only for a configured proxy
 * (issue 10, defect 8). Calls the OpenAPI handler as API Gateway would: no emulator involved.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke, proxyEvent } from '../../test/support/lambda-events.ts';

let handler: Parameters<typeof invoke>[0];

beforeAll(async () => {
  // Before the configuration is first read (it is parsed once per process, as in Lambda).
  process.env.TRUSTED_FORWARDED_HOSTS = 'www.gov.example.cn, API.Example.cn';
  // The document the handler serves, as deploy and start build it beside the function.
  const file = join(mkdtempSync(join(tmpdir(), 'base-url-')), 'openapi.json');
  writeFileSync(file, JSON.stringify({ openapi: '3.1.1', info: { title: 't', version: '1' }, paths: {} }));
  process.env.OPENAPI_FILE = file;
  ({ handler } = await import('#functions/get-openapi.handler.ts'));
});

function openapiEvent(headers: Record<string, string>, domainName?: string, stage = 'api') {
  const event = proxyEvent({
    method: 'GET',
    path: '/v1/openapi.json',
    resource: '/v1/openapi.json',
    headers,
  });
  event.requestContext = {
    ...event.requestContext,
    stage,
    ...(domainName ? { domainName } : {}),
  } as APIGatewayProxyEvent['requestContext'];
  return event;
}
const serverOf = async (event: APIGatewayProxyEvent) => (await invoke(handler, event)).body.servers[0].url;

describe('the base URL of links', () => {
  it('is the domain API Gateway was called at, with the stage', async () => {
    const event = openapiEvent(
      { host: 'abc123.execute-api.cn-north-1.amazonaws.com.cn' },
      'abc123.execute-api.cn-north-1.amazonaws.com.cn',
    );
    expect(await serverOf(event)).toBe('https://abc123.execute-api.cn-north-1.amazonaws.com.cn/api');
  });

  it('ignores an X-Forwarded-Host that is not a trusted proxy host', async () => {
    const event = openapiEvent({ host: 'abc.example', 'x-forwarded-host': 'evil.example' }, 'abc.example');
    expect(await serverOf(event)).toBe('https://abc.example/api');
  });

  it('follows an X-Forwarded-Host that is configured as trusted (names compared case-insensitively)', async () => {
    const event = openapiEvent({ host: 'abc.example', 'x-forwarded-host': 'api.example.cn' }, 'abc.example');
    expect(await serverOf(event)).toBe('https://api.example.cn/api');
  });

  it('takes http only when the edge says so, and nothing else for the scheme', async () => {
    expect(await serverOf(openapiEvent({ 'x-forwarded-proto': 'http' }, 'abc.example', '$default'))).toBe(
      'http://abc.example',
    );
    expect(
      await serverOf(
        openapiEvent({ 'x-forwarded-proto': 'javascript:alert(1)//' }, 'abc.example', '$default'),
      ),
    ).toBe('https://abc.example');
  });
});
