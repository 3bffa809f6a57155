/**
 * Portal usage plans on the deployed REST API (operators' tooling, not a Lambda). The REST API
 * takes API keys from the authorizer (apiKeySourceType AUTHORIZER): the authorizer verifies a
 * portal's x-api-key by its hash in DynamoDB and hands the same value back as usageIdentifierKey,
 * and API Gateway meters it against the API Gateway key with that value. So each portal key
 * exists twice with one value — in DynamoDB (hashed: identity) and in API Gateway (throttle and
 * quota) — and this module keeps the API Gateway side: one usage plan per portal, on the API's
 * stage, with one API key per issued portal key.
 */
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlansCommand,
} from '@aws-sdk/client-api-gateway';

export interface PortalLimits {
  /** Steady requests per second. @default 20 */
  readonly rateLimit?: number;
  /** @default 2 × rateLimit */
  readonly burstLimit?: number;
  /** Requests per day. @default 50 000 */
  readonly dailyQuota?: number;
}

export interface UsagePlanAdmin {
  /** Creates the API Gateway key with exactly `apiKey` as value, on the portal's usage plan. */
  addPortalKey(
    portalId: string,
    apiKey: string,
    limits?: PortalLimits,
  ): Promise<{ usagePlanId: string; apiKeyId: string }>;
  /** Deletes every API Gateway key of the portal (they leave its usage plan with it). */
  removePortalKeys(portalId: string): Promise<number>;
}

type Sender = Pick<APIGatewayClient, 'send'>;

export function apiGatewayUsagePlans(options: {
  restApiId: string;
  stage: string;
  /** Names things per stack: the stack name, e.g. Yijianshi-changzhou. */
  prefix: string;
  client?: Sender;
}): UsagePlanAdmin {
  const client: Sender = options.client ?? new APIGatewayClient({});
  const planName = (portalId: string) => `${options.prefix}-${portalId}`;
  // API keys are found again by customerId: unique per stack and portal.
  const customerId = (portalId: string) => `${options.prefix}/${portalId}`;

  async function findPlan(portalId: string): Promise<string | undefined> {
    let position: string | undefined;
    do {
      const page = await client.send(new GetUsagePlansCommand({ limit: 500, position }));
      const plan = page.items?.find(
        (p) =>
          p.name === planName(portalId) &&
          (p.apiStages ?? []).some((s) => s.apiId === options.restApiId && s.stage === options.stage),
      );
      if (plan?.id) return plan.id;
      position = page.position;
    } while (position);
    return undefined;
  }

  async function ensurePlan(portalId: string, limits: PortalLimits): Promise<string> {
    const existing = await findPlan(portalId);
    if (existing) return existing;
    const rateLimit = limits.rateLimit ?? 20;
    const created = await client.send(
      new CreateUsagePlanCommand({
        name: planName(portalId),
        description: `Portal ${portalId}`,
        apiStages: [{ apiId: options.restApiId, stage: options.stage }],
        throttle: { rateLimit, burstLimit: limits.burstLimit ?? rateLimit * 2 },
        quota: { limit: limits.dailyQuota ?? 50_000, period: 'DAY' },
      }),
    );
    if (!created.id) throw new Error(`API Gateway created no usage plan for ${portalId}`);
    return created.id;
  }

  return {
    async addPortalKey(portalId, apiKey, limits = {}) {
      const usagePlanId = await ensurePlan(portalId, limits);
      const key = await client.send(
        new CreateApiKeyCommand({
          name: `${planName(portalId)}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
          description: `Portal ${portalId} (same value as its yijianshi API key)`,
          enabled: true,
          value: apiKey,
          customerId: customerId(portalId),
        }),
      );
      if (!key.id) throw new Error(`API Gateway created no API key for ${portalId}`);
      await client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId: key.id, keyType: 'API_KEY' }));
      return { usagePlanId, apiKeyId: key.id };
    },

    async removePortalKeys(portalId) {
      let removed = 0;
      let position: string | undefined;
      const ids: string[] = [];
      do {
        const page = await client.send(
          new GetApiKeysCommand({ customerId: customerId(portalId), limit: 500, position }),
        );
        for (const k of page.items ?? []) if (k.id && k.customerId === customerId(portalId)) ids.push(k.id);
        position = page.position;
      } while (position);
      for (const apiKey of ids) {
        await client.send(new DeleteApiKeyCommand({ apiKey }));
        removed++;
      }
      return removed;
    },
  };
}
