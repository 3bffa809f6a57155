/**
 * Registering a webhook — a portal's (its cases' status changes) or a department's (its task
 * events): the URL rules and the SSRF checks, every problem at once, then the subscription with a
 * fresh signing secret that its owner sees only in this answer.
 */

import * as z from 'zod/mini';
import type { Problem } from '../shared/errors.ts';
import { ValidationError } from '../shared/errors.ts';
import { TASK_EVENT_TYPES, type TaskEventType } from './events.ts';
import {
  ownerOf,
  type ResolveHost,
  WebhookLimitError,
  type WebhookOwner,
  type WebhookRecord,
  type WebhookRepository,
} from './ports.ts';
import { addressProblems, checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from './url-policy.ts';

/** The cap on one owner's webhooks, a portal's or a department's alike. */
export const MAX_WEBHOOKS_PER_PORTAL = 10;
export const MAX_DESCRIPTION_LENGTH = 200;

const tooMany = (owner: WebhookOwner): Problem => ({
  path: '',
  code: 'too_many_webhooks',
  message: `A ${ownerOf(owner).kind} has at most ${MAX_WEBHOOKS_PER_PORTAL} webhooks; delete one first.`,
});

/**
 * The body as documented. The handler parses leniently and `registerWebhook` checks each field,
 * so that a bad URL (and every reason it is bad) and a bad description come back in one answer.
 */
export const WebhookRequestSchema = /* @__PURE__ */ (() =>
  z.object({
    url: z
      .url()
      .check(
        z.maxLength(MAX_WEBHOOK_URL_LENGTH),
        z.describe(
          'Where to POST events: https, and a host that is and resolves to public addresses only (checked again at every delivery).',
        ),
      ),
    description: z
      .optional(z.string().check(z.maxLength(MAX_DESCRIPTION_LENGTH)))
      .check(z.describe('A label for your own use.')),
  }))();

/** A department's subscription: the same, and which of its task events it wants. */
export const DepartmentWebhookRequestSchema = /* @__PURE__ */ (() =>
  z.extend(WebhookRequestSchema, {
    events: z
      .optional(z.array(z.enum(TASK_EVENT_TYPES)).check(z.minLength(1), z.maxLength(TASK_EVENT_TYPES.length)))
      .check(
        z.describe(
          'The task events to receive, each at most once in the list; all three (`task.opened`, `task.due_soon`, `task.overdue`) when absent.',
        ),
      ),
  }))();

export const WebhookParams = /* @__PURE__ */ (() =>
  z.object({ webhookId: z.string().check(z.minLength(1), z.maxLength(100)) }))();

export interface RegisterDeps {
  readonly webhooks: WebhookRepository;
  readonly resolve: ResolveHost;
  /** WEBHOOK_ALLOW_PRIVATE (local development only). */
  readonly allowPrivate: boolean;
  newId(): string;
  newSecret(): string;
  now(): Date;
}

/** A portal's webhook, for the status changes of its cases (see `register`). */
export function registerWebhook(deps: RegisterDeps, portalId: string, request: unknown) {
  return register(deps, { portalId }, request);
}

/**
 * A department's webhook, for its task events: as a portal's, plus the `events` it chooses
 * (checked with the rest, for the one answer).
 */
export function registerDepartmentWebhook(deps: RegisterDeps, departmentId: string, request: unknown) {
  return register(deps, { departmentId }, request);
}

function eventsOf(value: unknown, problems: Problem[]): readonly TaskEventType[] {
  if (value === undefined) return TASK_EVENT_TYPES;
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((e) => (TASK_EVENT_TYPES as readonly unknown[]).includes(e)) &&
    new Set(value).size === value.length;
  if (valid) return TASK_EVENT_TYPES.filter((e) => value.includes(e));
  problems.push({
    path: '/events',
    code: 'invalid_events',
    message: `Optional: a non-empty list of distinct task events among ${TASK_EVENT_TYPES.join(', ')}.`,
  });
  return [];
}

/**
 * 1. Check the body: url (https, no credentials, a public IP literal), description, and — for a
 *    department — the events.
 * 2. Resolve a host name: every address must be public (a name for 10.0.0.1 is 10.0.0.1).
 * 3. Keep within MAX_WEBHOOKS_PER_PORTAL: checked with the others for the one answer, and again
 *    atomically by the store (concurrent registrations cannot pass it together).
 * 4. Store it with a new secret and return it — the only time the secret is shown.
 */
async function register(deps: RegisterDeps, owner: WebhookOwner, request: unknown): Promise<WebhookRecord> {
  // Any JSON arrives here (the use case checks the shape itself): a non-object has no fields.
  const body = (
    typeof request === 'object' && request !== null && !Array.isArray(request) ? request : {}
  ) as {
    url?: unknown;
    description?: unknown;
    events?: unknown;
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
      code: typeof body.description === 'string' ? 'too_long' : 'wrong_type',
      message: `The description is optional text of at most ${MAX_DESCRIPTION_LENGTH} characters.`,
    });
  const events = owner.departmentId !== undefined ? eventsOf(body.events, problems) : undefined;
  const existing = await deps.webhooks.list(ownerOf(owner).id);
  if (existing.length >= MAX_WEBHOOKS_PER_PORTAL) problems.push(tooMany(owner));
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
    ...owner,
    webhookId: deps.newId(),
    url: check.url!.href,
    ...(typeof body.description === 'string' && body.description ? { description: body.description } : {}),
    ...(events ? { events } : {}),
    secret: deps.newSecret(),
    createdAt: deps.now().toISOString(),
  };
  try {
    await deps.webhooks.create(record, MAX_WEBHOOKS_PER_PORTAL);
  } catch (err) {
    if (err instanceof WebhookLimitError) throw new ValidationError([tooMany(owner)]);
    throw err;
  }
  return record;
}

/** A webhook as listed: never the secret (a department's with the events it receives). */
export function webhookView(w: WebhookRecord) {
  return {
    id: w.webhookId,
    url: w.url,
    ...(w.description ? { description: w.description } : {}),
    ...(w.events ? { events: [...w.events] } : {}),
    createdAt: w.createdAt,
  };
}

/** A department's webhook as listed (never the secret). */
export const DepartmentWebhookSchema = /* @__PURE__ */ (() =>
  z.object({
    id: z.string(),
    url: z.url(),
    description: z.optional(z.string()),
    events: z.array(z.enum(TASK_EVENT_TYPES)).check(z.describe('The task events it receives.')),
    createdAt: z.iso.datetime().check(z.describe('An instant, ISO 8601 in UTC.')),
  }))();

export const DepartmentWebhookCreatedSchema = /* @__PURE__ */ (() =>
  z.extend(DepartmentWebhookSchema, {
    secret: z
      .string()
      .check(
        z.regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
        z.describe(
          'The Standard Webhooks signing secret (`whsec_` + base64 of 32 random bytes): pass it as is to a `standardwebhooks` library to verify `webhook-signature`. Shown only in this answer: store it.',
        ),
      ),
  }))();

export const DepartmentWebhookListSchema = /* @__PURE__ */ (() =>
  z.object({ items: z.array(DepartmentWebhookSchema) }))();

/** The events of a department's webhook as stored: all three for one registered without a choice. */
export function departmentWebhookView(w: WebhookRecord) {
  return { ...webhookView(w), events: [...(w.events ?? TASK_EVENT_TYPES)] };
}
