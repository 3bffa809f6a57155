/**
 * What the deployed edge answers before any handler runs, read from the synthesized template
 * (issue 10): an authorizer that cannot check credentials is an outage (503 + Retry-After), not a
 * bare 500 (defect 4); the files bucket lets a browser send every header a presigned upload signs
 * (defect 11).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZER_UNAVAILABLE } from '../adapters/http/gateway-responses.ts';
import { testStack } from './test-stack.ts';

type Json = Record<string, unknown>;
let resources: Record<string, { Type: string; Properties: Json }>;

beforeAll(() => {
  resources = testStack().template.toJSON().Resources;
}, 60_000);

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('Gateway Responses', () => {
  it('answers 503 problem+json with Retry-After when the authorizer fails or cannot be reached', () => {
    for (const type of ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR']) {
      const response = ofType('AWS::ApiGateway::GatewayResponse').find(
        (r) => r.Properties.ResponseType === type,
      );
      expect(response, type).toBeDefined();
      const p = response!.Properties as {
        StatusCode: string;
        ResponseParameters: Record<string, string>;
        ResponseTemplates: Record<string, string>;
      };
      expect(p.StatusCode).toBe('503');
      expect(p.ResponseParameters['gatewayresponse.header.Retry-After']).toBe(
        `'${AUTHORIZER_UNAVAILABLE.headers['retry-after']}'`,
      );
      expect(p.ResponseParameters['gatewayresponse.header.Content-Type']).toBe("'application/problem+json'");
      expect(p.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'*'");
      const body = JSON.parse(p.ResponseTemplates['application/json']!) as Json;
      expect(body).toEqual({ ...AUTHORIZER_UNAVAILABLE.problem, instance: '$context.requestId' });
    }
  });
});
