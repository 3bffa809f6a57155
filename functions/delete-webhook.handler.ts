/** DELETE /v1/webhooks/{webhookId} — stops deliveries to that URL (deliveries queued are dropped). */
import { webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { WebhookSchema } from '#adapters/http/schemas.ts';
import { NotFoundError } from '#core/shared/errors.ts';
import { WebhookParams, webhookView } from '#core/webhooks/register.ts';

export const route = defineRoute({
  name: 'delete-webhook',
  method: 'DELETE',
  path: '/v1/webhooks/{webhookId}',
  caller: 'portal',
  summary: 'Delete a webhook: no further deliveries, queued ones are dropped',
  description:
    'Removes one of the portal’s webhooks at once: nothing more is sent to it, and deliveries still queued for it are dropped. Another portal’s webhook, or an unknown id, is 404.',
  tags: ['Webhooks'],
  params: WebhookParams,
  responses: { 200: { description: 'Deleted; the webhook as it was.', schema: WebhookSchema } },
  problems: { 404: 'No such webhook of this portal (another portal’s webhook is 404 too).' },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  // Keyed under the caller's portal: another portal's webhook is indistinguishable from none.
  const deleted = await webhookRepository.delete(caller.portalId, params.webhookId);
  if (!deleted) throw new NotFoundError(`There is no webhook "${params.webhookId}" of yours.`);
  return { status: 200, body: webhookView(deleted) };
});
