/** GET /v1/webhooks — the calling portal's webhooks (never their secrets). */
import { webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { WebhookListSchema } from '#adapters/http/schemas.ts';
import { webhookView } from '#core/webhooks/register.ts';

export const route = defineRoute({
  name: 'list-webhooks',
  method: 'GET',
  path: '/v1/webhooks',
  caller: 'portal',
  summary: 'This portal’s webhooks (without their secrets)',
  description:
    'The portal’s registered callback URLs for its cases’ status changes. Secrets are shown only once, when a webhook is created; delete one and create another to rotate it.',
  tags: ['Webhooks'],
  responses: { 200: { description: 'The webhooks.', schema: WebhookListSchema } },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ caller }) => {
  const hooks = await webhookRepository.list(caller.portalId);
  return { status: 200, body: { items: hooks.map(webhookView) } };
});
