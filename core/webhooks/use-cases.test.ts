/** The webhook use cases with in-memory ports: registration's checks, fan-out, and each try's outcome. */

import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../shared/errors.ts';
import type { RetryPolicy } from './backoff.ts';
import { batchDirectory, deliverWebhook, fanOut } from './deliver.ts';
import type { OutboxEvent, TaskOutboxEvent } from './events.ts';
import {
  type DeadLetter,
  type DeliveryMessage,
  ownerKey,
  ownerOf,
  type SendResult,
  type WebhookRecord,
  type WebhookRepository,
} from './ports.ts';
import { MAX_WEBHOOKS_PER_PORTAL, registerDepartmentWebhook, registerWebhook } from './register.ts';

function memoryWebhooks(initial: WebhookRecord[] = []): WebhookRepository & { all: WebhookRecord[] } {
  const all = [...initial];
  const owned = (ownerId: string) => (w: WebhookRecord) => ownerOf(w).id === ownerId;
  return {
    all,
    async create(r) {
      all.push(r);
    },
    async list(ownerId) {
      return all.filter(owned(ownerId));
    },
    async get(ownerId, id) {
      return all.find((w) => owned(ownerId)(w) && w.webhookId === id);
    },
    async delete(ownerId, id) {
      const i = all.findIndex((w) => owned(ownerId)(w) && w.webhookId === id);
      return i < 0 ? undefined : all.splice(i, 1)[0];
    },
  };
}

const departmentHook = (
  n: number,
  departmentId: string,
  events?: WebhookRecord['events'],
): WebhookRecord => ({
  webhookId: `dwh-${n}`,
  departmentId,
  url: `https://dept${n}.example.cn/`,
  ...(events ? { events } : {}),
  secret: `whsec_${Buffer.from(`secret of department webhook ${n}`).toString('base64')}`,
  createdAt: '2025-01-01T00:00:00.000Z',
});

const hook = (n: number, portalId = 'portal-a'): WebhookRecord => ({
  webhookId: `wh-${n}`,
  portalId,
  url: `https://hooks${n}.example.cn/`,
  secret: `whsec_${Buffer.from(`secret of webhook ${n}`).toString('base64')}`,
  createdAt: '2025-01-01T00:00:00.000Z',
});

function registerDeps(webhooks: WebhookRepository, dns: Record<string, string[]>, allowPrivate = false) {
  let n = 0;
  return {
    webhooks,
    allowPrivate,
    resolve: async (host: string) => {
      const a = dns[host];
      if (!a) throw new Error('ENOTFOUND');
      return a;
    },
    newId: () => `wh-new-${++n}`,
    newSecret: () => 'whsec_new',
    now: () => new Date('2025-03-01T08:00:00.000Z'),
  };
}

async function problemsOf(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError).problems.map((x) => x.code);
}

describe('registering a webhook', () => {
  it('stores an https URL whose host resolves to public addresses, with a new secret', async () => {
    const webhooks = memoryWebhooks();
    const dns = { 'hooks.example.cn': ['203.119.1.1', '2400:3200::1'] };
    const r = await registerWebhook(registerDeps(webhooks, dns), 'portal-a', {
      url: 'https://hooks.example.cn/yjs',
      description: '办件通知',
    });
    expect(r).toEqual({
      webhookId: 'wh-new-1',
      portalId: 'portal-a',
      url: 'https://hooks.example.cn/yjs',
      description: '办件通知',
      secret: 'whsec_new',
      createdAt: '2025-03-01T08:00:00.000Z',
    });
    expect(webhooks.all).toHaveLength(1);
  });

  it('refuses a name that resolves to a private address (one address is enough)', async () => {
    const dns = { 'rebind.example.cn': ['203.119.1.1', '10.0.0.5'], 'meta.example.cn': ['169.254.169.254'] };
    const deps = registerDeps(memoryWebhooks(), dns);
    expect(await problemsOf(registerWebhook(deps, 'p', { url: 'https://rebind.example.cn/' }))).toEqual([
      'address_not_allowed',
    ]);
    expect(await problemsOf(registerWebhook(deps, 'p', { url: 'https://meta.example.cn/' }))).toEqual([
      'address_not_allowed',
    ]);
    expect(await problemsOf(registerWebhook(deps, 'p', { url: 'https://nowhere.example.cn/' }))).toEqual([
      'host_unresolvable',
    ]);
  });

  it('lists every problem at once', async () => {
    const deps = registerDeps(memoryWebhooks(), {});
    expect(
      await problemsOf(
        registerWebhook(deps, 'p', { url: 'http://user@10.0.0.1/', description: 'x'.repeat(201) }),
      ),
    ).toEqual(['https_required', 'credentials_in_url', 'address_not_allowed', 'too_long']);
  });

  it('admits a local receiver only under the local allowance', async () => {
    const dns = { localhost: ['127.0.0.1', '::1'] };
    expect(
      await problemsOf(
        registerWebhook(registerDeps(memoryWebhooks(), dns), 'p', { url: 'https://localhost/' }),
      ),
    ).toEqual(['address_not_allowed', 'address_not_allowed']);
    const ok = await registerWebhook(registerDeps(memoryWebhooks(), dns, true), 'p', {
      url: 'http://localhost:4000/',
    });
    expect(ok.url).toBe('http://localhost:4000/');
  });

  it(`keeps a portal within ${MAX_WEBHOOKS_PER_PORTAL} webhooks`, async () => {
    const webhooks = memoryWebhooks(Array.from({ length: MAX_WEBHOOKS_PER_PORTAL }, (_, i) => hook(i)));
    const deps = registerDeps(webhooks, { 'a.example.cn': ['203.119.1.1'] });
    expect(await problemsOf(registerWebhook(deps, 'portal-a', { url: 'https://a.example.cn/' }))).toEqual([
      'too_many_webhooks',
    ]);
    await expect(registerWebhook(deps, 'portal-b', { url: 'https://a.example.cn/' })).resolves.toBeDefined();
  });
});

const EVENT: OutboxEvent = {
  eventId: 'e-1',
  eventType: 'case.status_changed',
  caseId: 'c-1',
  status: 'in_review',
  previousStatus: 'submitted',
  occurredAt: '2025-03-01T08:00:00.000Z',
};

describe('fanning an event out', () => {
  /** The outbox port, counting the case reads fan-out makes. */
  function caseReads(portalId = 'portal-a') {
    const reads: string[] = [];
    return {
      reads,
      outbox: {
        portalOf: async (caseId: string) => {
          reads.push(caseId);
          return portalId;
        },
      },
    };
  }

  it('queues one signed-body message per webhook of the owning portal', async () => {
    const queued: DeliveryMessage[] = [];
    const n = await fanOut(
      {
        outbox: caseReads().outbox,
        webhooks: memoryWebhooks([hook(1), hook(2), hook(3, 'portal-b')]),
        // A department's webhook never receives a case event.
        departmentWebhooks: memoryWebhooks([departmentHook(1, 'market-regulation')]),
        queue: { enqueue: async (m) => void queued.push(...m) },
        baseUrl: 'https://api.example.cn/api/',
      },
      EVENT,
    );
    expect(n).toBe(2);
    expect(queued.map((m) => m.webhookId)).toEqual(['wh-1', 'wh-2']);
    expect(JSON.parse(queued[0]!.body)).toEqual({
      id: 'e-1',
      type: 'case.status_changed',
      caseId: 'c-1',
      status: 'in_review',
      previousStatus: 'submitted',
      occurredAt: '2025-03-01T08:00:00.000Z',
      links: { case: 'https://api.example.cn/api/v1/cases/c-1' },
    });
  });

  it('takes the portal from the event when it names one, reading no case, and keeps it out of the body', async () => {
    const queued: DeliveryMessage[] = [];
    const { reads, outbox } = caseReads('portal-a');
    const n = await fanOut(
      {
        outbox,
        webhooks: memoryWebhooks([hook(1), hook(2, 'portal-b')]),
        departmentWebhooks: memoryWebhooks(),
        queue: { enqueue: async (m) => void queued.push(...m) },
        baseUrl: 'https://api.example.cn',
      },
      { ...EVENT, portalId: 'portal-b' },
    );
    expect(n).toBe(1);
    expect(reads).toEqual([]);
    expect(queued.map((m) => [m.webhookId, m.portalId])).toEqual([['wh-2', 'portal-b']]);
    expect(JSON.parse(queued[0]!.body)).not.toHaveProperty('portalId');
    expect(queued[0]!.body).not.toContain('portal-b');
  });

  it('reads the case for the portal of an event written before events named it', async () => {
    const { reads, outbox } = caseReads('portal-a');
    const deps = {
      outbox,
      webhooks: memoryWebhooks([hook(1)]),
      departmentWebhooks: memoryWebhooks(),
      queue: { enqueue: async () => undefined },
      baseUrl: 'https://api.example.cn',
    };
    expect(await fanOut(deps, EVENT)).toBe(1);
    expect(reads).toEqual(['c-1']);
  });

  it('fails when queueing fails, so the stream hands the event over again', async () => {
    await expect(
      fanOut(
        {
          outbox: caseReads().outbox,
          webhooks: memoryWebhooks([hook(1)]),
          departmentWebhooks: memoryWebhooks(),
          queue: {
            enqueue: async () => {
              throw new Error('queue down');
            },
          },
          baseUrl: 'https://api.example.cn',
        },
        EVENT,
      ),
    ).rejects.toThrow('queue down');
  });
});

const TASK_EVENT: TaskOutboxEvent = {
  eventId: 'e-2',
  eventType: 'task.opened',
  caseId: 'c-1',
  taskId: 'c-1.r0.tax-s1',
  kind: 'review',
  departmentId: 'tax',
  dueAt: '2025-03-10T08:00:00.000Z',
  occurredAt: '2025-03-01T08:00:00.000Z',
};

describe('fanning a task event out', () => {
  function fanOutDeps(departmentHooks: WebhookRecord[]) {
    const queued: DeliveryMessage[] = [];
    const caseReads: string[] = [];
    return {
      queued,
      caseReads,
      deps: {
        outbox: {
          portalOf: async (caseId: string) => {
            caseReads.push(caseId);
            return 'portal-a';
          },
        },
        // The case's portal has webhooks: they never receive a task event.
        webhooks: memoryWebhooks([hook(1), hook(2)]),
        departmentWebhooks: memoryWebhooks(departmentHooks),
        queue: { enqueue: async (m: readonly DeliveryMessage[]) => void queued.push(...m) },
        baseUrl: 'https://api.example.cn/api/',
      },
    };
  }

  it('queues it for the webhooks of the department holding the task only, thin, with a link to the task', async () => {
    const { deps, queued, caseReads } = fanOutDeps([
      departmentHook(1, 'tax'),
      departmentHook(2, 'hrss'),
      departmentHook(3, 'tax', ['task.opened', 'task.overdue']),
    ]);
    expect(await fanOut(deps, TASK_EVENT)).toBe(2);
    expect(queued.map((m) => [m.webhookId, m.departmentId, m.portalId])).toEqual([
      ['dwh-1', 'tax', undefined],
      ['dwh-3', 'tax', undefined],
    ]);
    expect(JSON.parse(queued[0]!.body)).toEqual({
      id: 'e-2',
      type: 'task.opened',
      taskId: 'c-1.r0.tax-s1',
      kind: 'review',
      caseId: 'c-1',
      departmentId: 'tax',
      dueAt: '2025-03-10T08:00:00.000Z',
      occurredAt: '2025-03-01T08:00:00.000Z',
      links: { task: 'https://api.example.cn/api/v1/tasks/c-1.r0.tax-s1' },
    });
    // A task event names its department: no case is read.
    expect(caseReads).toEqual([]);
  });

  it('leaves out the webhooks that did not choose the event', async () => {
    const { deps, queued } = fanOutDeps([departmentHook(1, 'tax', ['task.opened'])]);
    expect(await fanOut(deps, { ...TASK_EVENT, eventId: 'e-3', eventType: 'task.due_soon' })).toBe(0);
    expect(queued).toEqual([]);
  });
});

describe('fanning a batch of events out', () => {
  it("reads each owner's webhooks once per batch, and a failed read again", async () => {
    const webhooks = memoryWebhooks([hook(1)]);
    const departmentWebhooks = memoryWebhooks([
      departmentHook(1, 'tax'),
      departmentHook(2, 'market-regulation'),
    ]);
    const reads: string[] = [];
    let failNext = false;
    const counted = (repo: WebhookRepository): WebhookRepository => ({
      ...repo,
      async list(ownerId) {
        reads.push(ownerId);
        if (failNext) {
          failNext = false;
          throw new Error('throttled');
        }
        return repo.list(ownerId);
      },
    });
    const queued: DeliveryMessage[] = [];
    const batch = batchDirectory({
      outbox: { portalOf: async () => 'portal-a' },
      webhooks: counted(webhooks),
      departmentWebhooks: counted(departmentWebhooks),
      queue: { enqueue: async (m: readonly DeliveryMessage[]) => void queued.push(...m) },
      baseUrl: 'https://api.example.cn/api/',
    });

    failNext = true;
    await expect(fanOut(batch, TASK_EVENT)).rejects.toThrow('throttled');
    for (const event of [
      TASK_EVENT,
      { ...TASK_EVENT, eventId: 'e-4', taskId: 'c-1.r0.tax-s1' },
      { ...TASK_EVENT, eventId: 'e-5', departmentId: 'market-regulation' },
      { ...EVENT, portalId: 'portal-a' },
      { ...EVENT, eventId: 'e-6', portalId: 'portal-a' },
    ])
      await fanOut(batch, event);

    expect(reads).toEqual(['tax', 'tax', 'market-regulation', 'portal-a']);
    expect(queued.map((m) => `${m.eventId} ${m.webhookId}`)).toEqual([
      'e-2 dwh-1',
      'e-4 dwh-1',
      'e-5 dwh-2',
      'e-1 wh-1',
      'e-6 wh-1',
    ]);
  });
});

describe('a batch’s directory with a store that looks several owners up at once', () => {
  it('reads every owner of the batch in one look-up, and each event without another read', async () => {
    const webhooks = memoryWebhooks([hook(1)]);
    const departmentWebhooks = memoryWebhooks([departmentHook(1, 'tax')]);
    const reads: string[] = [];
    const lookUps: string[][] = [];
    const counted = (repo: WebhookRepository): WebhookRepository => ({
      ...repo,
      async list(ownerId) {
        reads.push(ownerId);
        return repo.list(ownerId);
      },
    });
    const queued: DeliveryMessage[] = [];
    const batch = batchDirectory({
      outbox: { portalOf: async () => 'portal-b' },
      webhooks: counted(webhooks),
      departmentWebhooks: counted(departmentWebhooks),
      async lookUp(owners) {
        lookUps.push(owners.map((o) => `${o.kind}:${o.id}`));
        const m = new Map<string, WebhookRecord[]>();
        for (const o of owners)
          m.set(ownerKey(o), await (o.kind === 'portal' ? webhooks : departmentWebhooks).list(o.id));
        return m;
      },
      queue: { enqueue: async (m: readonly DeliveryMessage[]) => void queued.push(...m) },
      baseUrl: 'https://api.example.cn/api/',
    });
    const events = [
      TASK_EVENT,
      { ...TASK_EVENT, eventId: 'e-4', departmentId: 'hrss' },
      { ...EVENT, portalId: 'portal-a' },
      { ...TASK_EVENT, eventId: 'e-5' },
      // Without its portal: found on the case, then read on its own.
      { ...EVENT, eventId: 'e-6' },
    ];
    await batch.prefetch(events);
    for (const event of events) await fanOut(batch, event);

    expect(lookUps).toEqual([['department:tax', 'department:hrss', 'portal:portal-a']]);
    expect(reads).toEqual(['portal-b']);
    expect(queued.map((m) => `${m.eventId} ${m.webhookId}`)).toEqual(['e-2 dwh-1', 'e-1 wh-1', 'e-5 dwh-1']);
  });

  it('reads each owner on its own when the look-up fails', async () => {
    const departmentWebhooks = memoryWebhooks([departmentHook(1, 'tax')]);
    const reads: string[] = [];
    const queued: DeliveryMessage[] = [];
    const batch = batchDirectory({
      outbox: { portalOf: async () => undefined },
      webhooks: memoryWebhooks(),
      departmentWebhooks: {
        ...departmentWebhooks,
        async list(ownerId) {
          reads.push(ownerId);
          return departmentWebhooks.list(ownerId);
        },
      },
      lookUp: () => Promise.reject(new Error('throttled')),
      queue: { enqueue: async (m: readonly DeliveryMessage[]) => void queued.push(...m) },
      baseUrl: 'https://api.example.cn/api/',
    });
    await batch.prefetch([TASK_EVENT]);
    await fanOut(batch, TASK_EVENT);
    expect(reads).toEqual(['tax']);
    expect(queued).toHaveLength(1);
  });
});

describe('registering a department webhook', () => {
  const dns = { 'dept.example.cn': ['203.119.1.1'] };

  it('subscribes to all three task events unless it chooses', async () => {
    const webhooks = memoryWebhooks();
    const all = await registerDepartmentWebhook(registerDeps(webhooks, dns), 'tax', {
      url: 'https://dept.example.cn/hook',
    });
    expect(all).toMatchObject({
      departmentId: 'tax',
      events: ['task.opened', 'task.due_soon', 'task.overdue'],
    });
    expect(all.portalId).toBeUndefined();
    const some = await registerDepartmentWebhook(registerDeps(webhooks, dns), 'tax', {
      url: 'https://dept.example.cn/hook',
      events: ['task.overdue', 'task.opened'],
    });
    expect(some.events).toEqual(['task.opened', 'task.overdue']);
  });

  it('refuses unknown, repeated or no events together with the URL problems', async () => {
    const deps = registerDeps(memoryWebhooks(), dns);
    for (const events of [[], ['case.status_changed'], ['task.opened', 'task.opened'], 'task.opened'])
      expect(
        await problemsOf(registerDepartmentWebhook(deps, 'tax', { url: 'http://10.0.0.1/', events })),
      ).toEqual(expect.arrayContaining(['invalid_events', 'https_required']));
  });

  it('keeps a department within the cap, apart from the portals', async () => {
    const full = memoryWebhooks(
      Array.from({ length: MAX_WEBHOOKS_PER_PORTAL }, (_, i) => departmentHook(i, 'tax')),
    );
    const deps = registerDeps(full, dns);
    expect(
      await problemsOf(registerDepartmentWebhook(deps, 'tax', { url: 'https://dept.example.cn/' })),
    ).toEqual(['too_many_webhooks']);
    await expect(
      registerDepartmentWebhook(deps, 'hrss', { url: 'https://dept.example.cn/' }),
    ).resolves.toBeDefined();
  });
});

describe('one delivery try', () => {
  const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };
  const message: DeliveryMessage = {
    eventId: 'e-1',
    portalId: 'portal-a',
    webhookId: 'wh-1',
    body: '{"id":"e-1"}',
  };
  const now = new Date('2025-03-01T08:00:00.000Z');

  function deliverDeps(result: SendResult, hooks = [hook(1)]) {
    const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
    const deadLetters: DeadLetter[] = [];
    return {
      sent,
      deadLetters,
      deps: {
        webhooks: memoryWebhooks(hooks),
        departmentWebhooks: memoryWebhooks([departmentHook(1, 'tax')]),
        sender: {
          post: async (url: string, headers: Readonly<Record<string, string>>, body: string) => {
            sent.push({ url, headers: { ...headers }, body });
            return result;
          },
        },
        deadLetters: { record: async (d: DeadLetter) => void deadLetters.push(d) },
        policy,
        now: () => now,
        random: () => 0,
      },
    };
  }

  it('POSTs the body signed with the webhook secret and the event id', async () => {
    const { deps, sent } = deliverDeps({ ok: true, status: 204 });
    expect(await deliverWebhook(deps, message, 1)).toEqual({ outcome: 'delivered', status: 204 });
    const [request] = sent;
    expect(request!.url).toBe('https://hooks1.example.cn/');
    expect(request!.headers['webhook-id']).toBe('e-1');
    expect(request!.headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    // The library checks the timestamp against its own clock: verify as of the delivery's time.
    vi.useFakeTimers({ now, toFake: ['Date'] });
    try {
      expect(() => new Webhook(hook(1).secret).verify(request!.body, request!.headers)).not.toThrow();
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers a retry after the backoff while tries remain', async () => {
    const { deps } = deliverDeps({ ok: false, status: 500, error: 'http_500' });
    expect(await deliverWebhook(deps, message, 1)).toEqual({
      outcome: 'retry',
      delayMs: 500,
      error: 'http_500',
    });
    expect(await deliverWebhook(deps, message, 2)).toEqual({
      outcome: 'retry',
      delayMs: 1000,
      error: 'http_500',
    });
  });

  it('dead-letters the last failed try, with what went wrong', async () => {
    const { deps, deadLetters } = deliverDeps({ ok: false, error: 'timeout_5000ms' });
    expect(await deliverWebhook(deps, message, 3)).toEqual({
      outcome: 'dead_lettered',
      error: 'timeout_5000ms',
    });
    expect(deadLetters).toEqual([
      {
        portalId: 'portal-a',
        webhookId: 'wh-1',
        eventId: 'e-1',
        attempts: 3,
        lastError: 'timeout_5000ms',
        failedAt: now.toISOString(),
        body: message.body,
      },
    ]);
  });

  it('drops deliveries of a webhook deleted meanwhile, without sending', async () => {
    const { deps, sent } = deliverDeps({ ok: true, status: 200 }, []);
    expect(await deliverWebhook(deps, message, 1)).toEqual({ outcome: 'dropped', reason: 'webhook_deleted' });
    expect(sent).toEqual([]);
  });

  it('sends the first try as the fan-out signed it, without reading the webhook; later tries read and sign afresh', async () => {
    // The fan-out, a few seconds before the try: the message carries the URL and the signature.
    const queued: DeliveryMessage[] = [];
    await fanOut(
      {
        outbox: { portalOf: async () => 'portal-a' },
        webhooks: memoryWebhooks([hook(1)]),
        departmentWebhooks: memoryWebhooks(),
        queue: { enqueue: async (m) => void queued.push(...m) },
        baseUrl: 'https://api.example.cn/',
        now: () => new Date(now.getTime() - 5000),
      },
      EVENT,
    );
    const [signed] = queued;
    expect(signed!.signed).toMatchObject({
      url: 'https://hooks1.example.cn/',
      timestamp: now.getTime() / 1000 - 5,
    });
    expect(JSON.stringify(signed)).not.toContain(hook(1).secret.slice(6)); // the signature, never the secret

    const { deps, sent } = deliverDeps({ ok: false, status: 500, error: 'http_500' });
    const reads = vi.spyOn(deps.webhooks, 'get');
    await deliverWebhook(deps, signed!, 1);
    expect(reads).not.toHaveBeenCalled();
    expect(sent[0]!.url).toBe('https://hooks1.example.cn/');
    expect(sent[0]!.headers['webhook-timestamp']).toBe(String(now.getTime() / 1000 - 5));
    vi.useFakeTimers({ now, toFake: ['Date'] });
    try {
      expect(() => new Webhook(hook(1).secret).verify(sent[0]!.body, sent[0]!.headers)).not.toThrow();
    } finally {
      vi.useRealTimers();
    }
    // The second try reads the webhook (deleted meanwhile → dropped) and signs with its own time.
    await deliverWebhook(deps, signed!, 2);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(sent[1]!.headers['webhook-timestamp']).toBe(String(now.getTime() / 1000));
  });

  it('reads the webhook for a first try the fan-out signed more than a minute ago (a backed-up queue)', async () => {
    const { deps, sent } = deliverDeps({ ok: true, status: 204 });
    const reads = vi.spyOn(deps.webhooks, 'get');
    const stale = {
      ...message,
      signed: { url: 'https://old.example.cn/', timestamp: now.getTime() / 1000 - 61, signature: 'v1,x' },
    };
    expect(await deliverWebhook(deps, stale, 1)).toEqual({ outcome: 'delivered', status: 204 });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(sent[0]!.url).toBe('https://hooks1.example.cn/');
    expect(sent[0]!.headers['webhook-timestamp']).toBe(String(now.getTime() / 1000));
  });

  it('delivers a message for a department to its webhook, and dead-letters it under the department', async () => {
    const { deps, sent, deadLetters } = deliverDeps({ ok: false, status: 500, error: 'http_500' });
    const toDepartment: DeliveryMessage = {
      eventId: 'e-2',
      departmentId: 'tax',
      webhookId: 'dwh-1',
      body: '{}',
    };
    expect(await deliverWebhook(deps, toDepartment, 3)).toEqual({
      outcome: 'dead_lettered',
      error: 'http_500',
    });
    expect(sent[0]!.url).toBe('https://dept1.example.cn/');
    expect(deadLetters[0]).toMatchObject({ departmentId: 'tax', webhookId: 'dwh-1', eventId: 'e-2' });
    expect(deadLetters[0]!.portalId).toBeUndefined();
    // A portal's message never reaches a department's webhook of the same id.
    expect(
      await deliverWebhook(deps, { eventId: 'e-2', portalId: 'tax', webhookId: 'dwh-1', body: '{}' }, 1),
    ).toEqual({
      outcome: 'dropped',
      reason: 'webhook_deleted',
    });
  });
});
