/** DELETE /v1/departments/{departmentId}/webhooks/{webhookId} — no further deliveries to that URL. */
import * as z from 'zod/mini';
import { departmentWebhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { ForbiddenError, NotFoundError } from '#core/shared/errors.ts';
import { DepartmentWebhookSchema, departmentWebhookView, WebhookParams } from '#core/webhooks/register.ts';

export const route = defineRoute({
  name: 'delete-department-webhook',
  method: 'DELETE',
  path: '/v1/departments/{departmentId}/webhooks/{webhookId}',
  caller: 'department',
  summary: 'Delete a department webhook: no further deliveries, queued ones are dropped',
  description:
    'Removes one of the department’s webhooks at once: nothing more is sent to it, and deliveries still queued for it are dropped. Another department’s webhook, or an unknown id, is 404.',
  tags: ['Departments'],
  params: z.extend(DepartmentParams, WebhookParams.shape),
  responses: { 200: { description: 'Deleted; the webhook as it was.', schema: DepartmentWebhookSchema } },
  problems: {
    403: 'A department manages only its own webhooks.',
    404: 'No such webhook of this department.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  if (caller.departmentId !== params.departmentId)
    throw new ForbiddenError('A department manages only its own webhooks.');
  const deleted = await departmentWebhookRepository.delete(params.departmentId, params.webhookId);
  if (!deleted) throw new NotFoundError(`There is no webhook "${params.webhookId}" of yours.`);
  return { status: 200, body: departmentWebhookView(deleted) };
});
