/**
 * Every Lambda of the system, as data: the HTTP routes (one handler file each,
 * functions/<name>.handler.ts) and the state machine's task functions (functions/<name>.task.ts).
 * The CDK stack, the local dev server, the OpenAPI check and the route-matrix test all read this
 * one table, so a route cannot exist in one place and be missing in another.
 */

/** Who may call a route: anyone, a portal (x-api-key), or a department (Bearer token). */
export type CallerKind = 'public' | 'portal' | 'department';

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway style path, parameters in braces. */
  readonly path: string;
  /** functions/<name>.handler.ts */
  readonly name: string;
  readonly caller: CallerKind;
}

export const httpRoutes = [
  { method: 'GET', path: '/v1/health', name: 'get-health', caller: 'public' },
  { method: 'GET', path: '/v1/openapi.json', name: 'get-openapi', caller: 'public' },
  { method: 'GET', path: '/v1/bundles', name: 'list-bundles', caller: 'public' },
  { method: 'GET', path: '/v1/bundles/{bundleId}', name: 'get-bundle', caller: 'public' },
  { method: 'GET', path: '/v1/bundles/{bundleId}/guide', name: 'get-guide', caller: 'public' },
  { method: 'GET', path: '/v1/bundles/{bundleId}/form', name: 'get-form', caller: 'public' },
  { method: 'POST', path: '/v1/materials', name: 'create-material', caller: 'portal' },
  { method: 'GET', path: '/v1/materials/{materialId}', name: 'get-material', caller: 'portal' },
  { method: 'POST', path: '/v1/cases', name: 'submit-case', caller: 'portal' },
  { method: 'GET', path: '/v1/cases/{caseId}', name: 'get-case', caller: 'portal' },
  { method: 'POST', path: '/v1/cases/{caseId}/supplements', name: 'submit-supplement', caller: 'portal' },
  { method: 'POST', path: '/v1/cases/{caseId}/withdrawal', name: 'withdraw-case', caller: 'portal' },
  { method: 'GET', path: '/v1/departments/{departmentId}/tasks', name: 'list-tasks', caller: 'department' },
  { method: 'GET', path: '/v1/tasks/{taskId}', name: 'get-task', caller: 'department' },
  { method: 'POST', path: '/v1/tasks/{taskId}/decision', name: 'decide-task', caller: 'department' },
  { method: 'GET', path: '/v1/supervision', name: 'get-supervision', caller: 'department' },
  { method: 'GET', path: '/v1/cases/{caseId}/licenses', name: 'list-licenses', caller: 'portal' },
  { method: 'GET', path: '/v1/licenses/{licenseId}/verification', name: 'verify-license', caller: 'public' },
  { method: 'GET', path: '/v1/bundles/{bundleId}/metrics', name: 'get-metrics', caller: 'public' },
  { method: 'POST', path: '/v1/prefill', name: 'prefill', caller: 'portal' },
  { method: 'POST', path: '/v1/webhooks', name: 'create-webhook', caller: 'portal' },
  { method: 'GET', path: '/v1/webhooks', name: 'list-webhooks', caller: 'portal' },
  { method: 'DELETE', path: '/v1/webhooks/{webhookId}', name: 'delete-webhook', caller: 'portal' },
] as const satisfies readonly HttpRoute[];

export interface TaskFunction {
  /** functions/<name>.task.ts; its ARN reaches the ASL as ${<PascalName>FunctionArn}. */
  readonly name: string;
}

export const taskFunctions = [
  { name: 'open-task' },
  { name: 'record-acceptance' },
  { name: 'merge-decisions' },
  { name: 'resume-after-supplement' },
  { name: 'close-unanswered' },
  { name: 'escalate-task' },
  { name: 'issue-licenses' },
  { name: 'deliver-results' },
  { name: 'record-failure' },
] as const satisfies readonly TaskFunction[];

export interface ScheduledFunction {
  /** functions/<name>.scheduled.ts */
  readonly name: string;
  /** EventBridge schedule expression in AWS; the local stack runs it every `localEveryMs`. */
  readonly schedule: string;
  readonly localEveryMs: number;
}

export const scheduledFunctions = [
  { name: 'mark-overdue', schedule: 'rate(15 minutes)', localEveryMs: 60_000 },
] as const satisfies readonly ScheduledFunction[];

export interface EventFunction {
  /** functions/<name>.<kind>.ts */
  readonly name: string;
  /** `stream`: DynamoDB Streams of the table; `queue`: an SQS queue (both AWS only). */
  readonly kind: 'stream' | 'queue';
}

/**
 * Webhook delivery in AWS: the outbox items of the table's stream → enqueue-webhooks → SQS →
 * deliver-webhook. Locally, local/webhook-dispatcher.ts runs the same use cases (core/webhooks)
 * on the outbox instead. The stack wires these two explicitly (stream source, queue, DLQ).
 */
export const eventFunctions = [
  { name: 'enqueue-webhooks', kind: 'stream' },
  { name: 'deliver-webhook', kind: 'queue' },
] as const satisfies readonly EventFunction[];

/** "open-task" → "OpenTaskFunctionArn": the definitionSubstitutions key for a task function. */
export function substitutionKey(name: string): string {
  return `${name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}FunctionArn`;
}
