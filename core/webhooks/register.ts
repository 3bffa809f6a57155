/**
 * Registering a portal's webhook: the URL rules and the SSRF checks, every problem at once, then
 * the subscription with a fresh signing secret that the portal sees only in this answer.
 */

import * as z from 'zod';
import type { Problem } from '../shared/errors.ts';
import { ValidationError } from '../shared/errors.ts';
import { type ResolveHost, WebhookLimitError, type WebhookRecord, type WebhookRepository } from './ports.ts';
import { addressProblems, checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from './url-policy.ts';

export const MAX_WEBHOOKS_PER_PORTAL = 10;
export const MAX_DESCRIPTION_LENGTH = 200;

const tooMany: Problem = {
  path: '',
  code: 'too_many_webhooks',
  message: `A portal has at most ${MAX_WEBHOOKS_PER_PORTAL} webhooks; delete one first.`,
};

/**
 * The body as documented. The handler parses leniently and `registerWebhook` checks each field,
 * so that a bad URL (and every reason it is bad) and a bad description come back in one answer.
 */
export const WebhookRequestSchema = z.object({
  url: z
    .url()
    .max(MAX_WEBHOOK_URL_LENGTH)
    .describe(
      'Where to POST events: https, and a host that is and resolves to public addresses only (checked again at every delivery).',
    ),
  description: z.string().max(MAX_DESCRIPTION_LENGTH).optional().describe('A label for your own use.'),
});

export const WebhookParams = z.object({ webhookId: z.string().min(1).max(100) });

export interface RegisterDeps {
  readonly webhooks: WebhookRepository;
  readonly resolve: ResolveHost;
  /** WEBHOOK_ALLOW_PRIVATE (local development only). */
  readonly allowPrivate: boolean;
  newId(): string;
  newSecret(): string;
  now(): Date;
}

/**
 * 1. Check the body: url (https, no credentials, a public IP literal) and description.
 * 2. Resolve a host name: every address must be public (a name for 10.0.0.1 is 10.0.0.1).
 * 3. Keep within MAX_WEBHOOKS_PER_PORTAL: checked with the others for the one answer, and again
 *    atomically by the store (concurrent registrations cannot pass it together).
 * 4. Store it with a new secret and return it — the only time the secret is shown.
 */
export async function registerWebhook(
  deps: RegisterDeps,
  portalId: string,
  request: unknown,
): Promise<WebhookRecord> {
  // Any JSON arrives here (the use case checks the shape itself): a non-object has no fields.
  const body = (
    typeof request === 'object' && request !== null && !Array.isArray(request) ? request : {}
  ) as {
    url?: unknown;
    description?: unknown;
  };
  const problems: Problem[] = [];
  const check = checkWebhookUrl(body.url, { allowPrivate: deps.allowPrivate });
  problems.push(...check.problems);
  if (
    body.description !== undefined &&
    (typeof body.description !== 'string' || body.description.length > MAX_DESCRIPTION_LENGTH)
  )
    problems.push({
      path: '/description',
      code: typeof body.description === 'string' ? 'too_long' : 'invalid_type',
      message: `The description is optional text of at most ${MAX_DESCRIPTION_LENGTH} characters.`,
    });
  const existing = await deps.webhooks.list(portalId);
  if (existing.length >= MAX_WEBHOOKS_PER_PORTAL) problems.push(tooMany);
  if (check.problems.length === 0 && check.host && !check.isIpLiteral) {
    let addresses: string[] = [];
    try {
      addresses = await deps.resolve(check.host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0)
      problems.push({
        path: '/url',
        code: 'host_unresolvable',
        message: `The host "${check.host}" does not resolve to any address.`,
      });
    problems.push(...addressProblems(check.host, addresses, deps.allowPrivate));
  }
  if (problems.length) throw new ValidationError(problems);

  const record: WebhookRecord = {
    webhookId: deps.newId(),
    portalId,
    url: check.url!.href,
    ...(typeof body.description === 'string' && body.description ? { description: body.description } : {}),
    secret: deps.newSecret(),
    createdAt: deps.now().toISOString(),
  };
  try {
    await deps.webhooks.create(record, MAX_WEBHOOKS_PER_PORTAL);
  } catch (err) {
    if (err instanceof WebhookLimitError) throw new ValidationError([tooMany]);
    throw err;
  }
  return record;
}

/** A webhook as listed: never the secret. */
export function webhookView(w: WebhookRecord) {
  return {
    id: w.webhookId,
    url: w.url,
    ...(w.description ? { description: w.description } : {}),
    createdAt: w.createdAt,
  };
}
