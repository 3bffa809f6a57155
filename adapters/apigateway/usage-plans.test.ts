/** The API Gateway side of portal keys, against a recording client (no AWS here). */
import { describe, expect, it } from 'vitest';
import { apiGatewayUsagePlans } from './usage-plans.ts';

function recordingClient(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  return {
    sent,
    client: {
      // biome-ignore lint/suspicious/noExplicitAny: stands in for the SDK client's overloaded send
      send: (async (command: any) => {
        const name = command.constructor.name as string;
        sent.push({ command: name, input: command.input });
        return answers[name]?.(command.input) ?? {};
      }) as never,
    },
  };
}

describe('portal usage plans on API Gateway', () => {
  it('creates the portal’s plan on the API stage, and an API key with exactly the issued value on it', async () => {
    const { client, sent } = recordingClient({
      GetUsagePlansCommand: () => ({ items: [{ id: 'other', name: 'Yijianshi-changzhou-portal-b' }] }),
      CreateUsagePlanCommand: () => ({ id: 'plan-1' }),
      CreateApiKeyCommand: () => ({ id: 'key-1' }),
    });
    const plans = apiGatewayUsagePlans({
      restApiId: 'abc123',
      stage: 'api',
      prefix: 'Yijianshi-changzhou',
      client,
    });
    expect(await plans.addPortalKey('portal-a', 'yjs_value', { rateLimit: 5, dailyQuota: 1000 })).toEqual({
      usagePlanId: 'plan-1',
      apiKeyId: 'key-1',
    });
    expect(sent.map((s) => s.command)).toEqual([
      'GetUsagePlansCommand',
      'CreateUsagePlanCommand',
      'CreateApiKeyCommand',
      'CreateUsagePlanKeyCommand',
    ]);
    expect(sent[1]!.input).toMatchObject({
      name: 'Yijianshi-changzhou-portal-a',
      apiStages: [{ apiId: 'abc123', stage: 'api' }],
      throttle: { rateLimit: 5, burstLimit: 10 },
      quota: { limit: 1000, period: 'DAY' },
    });
    expect(sent[2]!.input).toMatchObject({
      value: 'yjs_value',
      enabled: true,
      customerId: 'Yijianshi-changzhou/portal-a',
    });
    expect(sent[3]!.input).toEqual({ usagePlanId: 'plan-1', keyId: 'key-1', keyType: 'API_KEY' });
  });

  it('reuses the portal’s existing plan', async () => {
    const { client, sent } = recordingClient({
      GetUsagePlansCommand: () => ({
        items: [
          {
            id: 'plan-a',
            name: 'Yijianshi-changzhou-portal-a',
            apiStages: [{ apiId: 'abc123', stage: 'api' }],
          },
        ],
      }),
      CreateApiKeyCommand: () => ({ id: 'key-2' }),
    });
    const plans = apiGatewayUsagePlans({
      restApiId: 'abc123',
      stage: 'api',
      prefix: 'Yijianshi-changzhou',
      client,
    });
    await plans.addPortalKey('portal-a', 'yjs_value2');
    expect(sent.map((s) => s.command)).not.toContain('CreateUsagePlanCommand');
    expect(sent.at(-1)!.input).toMatchObject({ usagePlanId: 'plan-a', keyId: 'key-2' });
  });

  it('deletes every API key of the portal, and only those', async () => {
    const { client, sent } = recordingClient({
      GetApiKeysCommand: () => ({
        items: [
          { id: 'k1', customerId: 'Yijianshi-changzhou/portal-a' },
          { id: 'k2', customerId: 'Yijianshi-changzhou/portal-a' },
          { id: 'k3', customerId: 'Yijianshi-changzhou/portal-ab' },
        ],
      }),
    });
    const plans = apiGatewayUsagePlans({
      restApiId: 'abc123',
      stage: 'api',
      prefix: 'Yijianshi-changzhou',
      client,
    });
    expect(await plans.removePortalKeys('portal-a')).toBe(2);
    expect(sent.filter((s) => s.command === 'DeleteApiKeyCommand').map((s) => s.input.apiKey)).toEqual([
      'k1',
      'k2',
    ]);
  });
});
