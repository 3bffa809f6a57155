/** POST /v1/webhooks — a portal registers a callback URL for its cases' status changes. */
import { randomUUID } from 'node:crypto';
import { webhookConfig } from '#adapters/config.ts';
import { webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { LocationHeader, WebhookCreatedSchema } from '#adapters/http/schemas.ts';
import { resolveHost } from '#adapters/webhooks/dns.ts';
import { registerWebhook, WebhookRequestSchema, webhookView } from '#core/webhooks/register.ts';
import { newWebhookSecret } from '#core/webhooks/signing.ts';

export const route = defineRoute({
  name: 'create-webhook',
  method: 'POST',
  path: '/v1/webhooks',
  caller: 'portal',
  summary: 'Register a callback URL for the status changes of this portal’s cases',
  description:
    'Each change is POSTed as `{ id, type: "case.status_changed", caseId, status, previousStatus?, occurredAt, links: { case } }` signed in the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature`; verify with any `standardwebhooks` library and the secret as returned). Delivery is at least once, retried with exponential backoff: dedupe by `webhook-id`, tolerate any order, refuse a timestamp more than 5 minutes off, answer 2xx fast.',
  tags: ['Webhooks'],
  // Fields are checked by the use case, so that a bad URL and a bad description come back together.
  body: {
    schema: WebhookRequestSchema,
    description: 'The callback URL and an optional label.',
    checkedByUseCase: true,
  },
  responses: {
    201: {
      description: 'Registered; the signing secret is in this answer only.',
      schema: WebhookCreatedSchema,
      headers: LocationHeader,
    },
  },
  problems: {
    422: 'Not https, credentials in the URL, a host that is or resolves to a private, loopback, link-local, CGNAT, multicast or metadata address, an unresolvable host, a description too long, or too many webhooks (`too_many_webhooks`: at most 10 per portal, however many registrations run at once): every problem listed.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ body, caller, baseUrl }) => {
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
});
