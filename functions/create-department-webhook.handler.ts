/**
 * POST /v1/departments/{departmentId}/webhooks — a department system subscribes to its task events
 * (`task.opened`, `task.due_soon`, `task.overdue`) instead of polling its inbox.
 */
import { randomUUID } from 'node:crypto';
import { webhookConfig } from '#adapters/config.ts';
import { departmentWebhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, LocationHeader } from '#adapters/http/schemas.ts';
import { resolveHost } from '#adapters/webhooks/dns.ts';
import { ForbiddenError } from '#core/shared/errors.ts';
import {
  DepartmentWebhookCreatedSchema,
  DepartmentWebhookListSchema,
  DepartmentWebhookRequestSchema,
  DepartmentWebhookSchema,
  departmentWebhookView,
  registerDepartmentWebhook,
} from '#core/webhooks/register.ts';
import { newWebhookSecret } from '#core/webhooks/signing.ts';

component('DepartmentWebhookRequest', DepartmentWebhookRequestSchema);
component('DepartmentWebhook', DepartmentWebhookSchema);
component('DepartmentWebhookCreated', DepartmentWebhookCreatedSchema);
component('DepartmentWebhookList', DepartmentWebhookListSchema);

export const route = defineRoute({
  name: 'create-department-webhook',
  method: 'POST',
  path: '/v1/departments/{departmentId}/webhooks',
  caller: 'department',
  summary: 'Subscribe a callback URL to this department’s task events',
  description:
    'Each event of one of the department’s tasks is POSTed as `{ id, type, taskId, kind, caseId, departmentId, dueAt, occurredAt, links: { task } }` — `type` one of `task.opened` (written with the task), `task.due_soon` (its deadline within one working day) and `task.overdue` (past it), each at most once per task; only the chosen `events` (default all three). Thin: no personal data — GET the task link with the department token. Signed in the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature`; verify with any `standardwebhooks` library and the secret as returned); delivered at least once, retried with exponential backoff: dedupe by `webhook-id`, tolerate any order, answer 2xx fast.',
  tags: ['Departments'],
  params: DepartmentParams,
  // Fields are checked by the use case, so that a bad URL, description and events come back together.
  body: {
    schema: DepartmentWebhookRequestSchema,
    description: 'The callback URL, an optional label and the events to receive.',
    checkedByUseCase: true,
  },
  responses: {
    201: {
      description: 'Subscribed; the signing secret is in this answer only.',
      schema: DepartmentWebhookCreatedSchema,
      headers: LocationHeader,
    },
  },
  problems: {
    403: 'A department subscribes only to its own tasks.',
    422: 'The URL rules of portal webhooks (https, public addresses only, checked again at every delivery), a description too long, events not a non-empty list of distinct task events, or too many webhooks (`too_many_webhooks`: at most 10 per department): every problem listed.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ params, body, caller, baseUrl }) => {
  if (caller.departmentId !== params.departmentId)
    throw new ForbiddenError('A department subscribes only to its own tasks.');
  const record = await registerDepartmentWebhook(
    {
      webhooks: departmentWebhookRepository,
      resolve: resolveHost,
      allowPrivate: webhookConfig().WEBHOOK_ALLOW_PRIVATE,
      newId: () => `wh-${randomUUID()}`,
      newSecret: newWebhookSecret,
      now: () => new Date(),
    },
    params.departmentId,
    body,
  );
  return {
    status: 201,
    headers: {
      location: `${baseUrl}/v1/departments/${encodeURIComponent(params.departmentId)}/webhooks/${record.webhookId}`,
      'cache-control': 'no-store',
    },
    // The secret is shown this once; it is never listed again.
    body: { ...departmentWebhookView(record), secret: record.secret },
  };
});
