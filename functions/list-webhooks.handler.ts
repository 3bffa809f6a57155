/** GET /v1/webhooks — the calling portal's webhooks (never their secrets). */
import { webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { webhookView } from '#core/webhooks/register.ts';

export const handler = makeHttpHandler({ caller: 'portal' }, async ({ caller }) => {
  if (caller.kind !== 'portal') throw new Error('unreachable');
  const hooks = await webhookRepository.list(caller.portalId);
  return { status: 200, body: { items: hooks.map(webhookView) } };
});
