/** DELETE /v1/webhooks/{webhookId} — stops deliveries to that URL (deliveries queued are dropped). */
import { webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import { WebhookParams, webhookView } from '#core/webhooks/register.ts';

export const handler = makeHttpHandler(
  { caller: 'portal', params: WebhookParams },
  async ({ params, caller }) => {
    if (caller.kind !== 'portal') throw new Error('unreachable');
    // Keyed under the caller's portal: another portal's webhook is indistinguishable from none.
    const deleted = await webhookRepository.delete(caller.portalId, params.webhookId);
    if (!deleted) throw new NotFoundError(`There is no webhook "${params.webhookId}" of yours.`);
    return { status: 200, body: webhookView(deleted) };
  },
);
