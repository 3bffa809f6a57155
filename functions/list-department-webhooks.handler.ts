/** GET /v1/departments/{departmentId}/webhooks — the department's subscriptions (never their secrets). */
import { departmentWebhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { ForbiddenError } from '#core/shared/errors.ts';
import { DepartmentWebhookListSchema, departmentWebhookView } from '#core/webhooks/register.ts';

export const route = defineRoute({
  name: 'list-department-webhooks',
  method: 'GET',
  path: '/v1/departments/{departmentId}/webhooks',
  caller: 'department',
  summary: 'This department’s webhooks (without their secrets)',
  description:
    'The department’s registered callback URLs for task events. Secrets are shown only once, when a webhook is created; delete one and create another to rotate it.',
  tags: ['Departments'],
  params: DepartmentParams,
  responses: { 200: { description: 'The webhooks.', schema: DepartmentWebhookListSchema } },
  problems: { 403: 'A department sees only its own webhooks.' },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  if (caller.departmentId !== params.departmentId)
    throw new ForbiddenError('A department sees only its own webhooks.');
  const hooks = await departmentWebhookRepository.list(params.departmentId);
  return { status: 200, body: { items: hooks.map(departmentWebhookView) } };
});
