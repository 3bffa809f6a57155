/** POST /v1/webhooks — a portal registers a callback URL for its cases' status changes. */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { webhookConfig } from '#adapters/webhooks/config.ts';
import { resolveHost } from '#adapters/webhooks/dns.ts';
import { registerWebhook, webhookView } from '#core/webhooks/register.ts';
import { newWebhookSecret } from '#core/webhooks/signing.ts';

// Fields are checked by the use case, so that a bad URL and a bad description come back together.
const Body = z.object({ url: z.unknown().optional(), description: z.unknown().optional() });

export const handler = makeHttpHandler(
  { caller: 'portal', body: Body },
  async ({ body, caller, baseUrl }) => {
    if (caller.kind !== 'portal') throw new Error('unreachable');
    const record = await registerWebhook(
      {
        webhooks: webhookRepository,
        resolve: resolveHost,
        allowPrivate: webhookConfig().WEBHOOK_ALLOW_PRIVATE,
        newId: () => `wh-${randomUUID()}`,
        newSecret: newWebhookSecret,
        now: () => new Date(),
      },
      caller.portalId,
      body,
    );
    return {
      status: 201,
      headers: { location: `${baseUrl}/v1/webhooks/${record.webhookId}`, 'cache-control': 'no-store' },
      // The secret is shown this once; it is never listed again.
      body: { ...webhookView(record), secret: record.secret },
    };
  },
);
