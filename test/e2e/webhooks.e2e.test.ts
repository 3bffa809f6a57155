/**
 * Webhooks through HTTP, as a portal uses them: register a receiver, drive one case through the
 * whole flow, and check that every status change arrives — signed with the secret shown once, thin
 * (no personal data), verifiable — including at a receiver that fails before it recovers; the SSRF
 * refusals; and that one portal cannot see or delete another's webhooks.
 *
 * Deliveries need a receiver the deployment can reach: here, an HTTP server on 127.0.0.1, which
 * the local stack may call (WEBHOOK_ALLOW_PRIVATE, local only). Against a deployed target those
 * tests are skipped by name; the rest run anywhere.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildApplication,
  caseAuth,
  decide,
  eventually,
  getCase,
  pendingTask,
  portalKey,
  submit,
} from './portal.ts';
import { call, isLocalTarget, target } from './target.ts';

const BUNDLE = 'enterprise-opening';
const SERVICE = 'enterprise-establishment-registration';
const LEAD = 'market-regulation';
const remote = !isLocalTarget();

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: the receiver reads arbitrary JSON
  readonly body: any;
  readonly status: number;
}

/** What a receiver does with the off-the-shelf Standard Webhooks library: true when it verifies. */
function verifies(secret: string, d: Delivery): boolean {
  try {
    new Webhook(secret).verify(d.raw, d.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

/** A webhook receiver on 127.0.0.1: records every delivery and answers what `answer` says. */
async function startReceiver(answer: (body: { caseId?: string }) => number = () => 200) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: { caseId?: string } = {};
      try {
        body = JSON.parse(raw);
      } catch {
        /* recorded as is */
      }
      const status = answer(body);
      deliveries.push({ headers: req.headers, raw, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/yijianshi?portal=a`,
    deliveries,
    /** Successful deliveries of one case, one per event id (receivers dedupe). */
    eventsOf(caseId: string) {
      const byId = new Map<string, Delivery>();
      for (const d of deliveries) if (d.body.caseId === caseId && d.status < 300) byId.set(d.body.id, d);
      return [...byId.values()].sort((a, b) => a.body.occurredAt.localeCompare(b.body.occurredAt));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function register(url: string, portal = 0) {
  const created = await call('POST', '/v1/webhooks', {
    headers: portalKey(portal),
    body: { url, description: 'e2e receiver' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; url: string; secret: string; createdAt: string };
}

const transitions = (events: Delivery[]) =>
  events.map((d) => `${d.body.previousStatus ?? '∅'} → ${d.body.status}`);

describe.skipIf(remote)('webhook deliveries to a receiver on this machine (local stack only)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('delivers every status change of a case, thin and signed, to the portal that owns it', async () => {
    // Prepare: a receiver registered by portal A.
    const receiver = await startReceiver();
    cleanup.push(receiver.close);
    const webhook = await register(receiver.url);
    cleanup.push(() => call('DELETE', `/v1/webhooks/${webhook.id}`, { headers: portalKey(0) }));
    expect(webhook.secret).toMatch(/^whsec_/);

    // Act: submitted → in_review → awaiting_correction → in_review → issued.
    const application = await buildApplication(BUNDLE, [SERVICE]);
    const submitted = await submit(application);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    expect((await decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '予以受理' })).status).toBe(200);
    const review = await pendingTask(LEAD, caseId, 'review');
    await decide(review.id, LEAD, {
      outcome: 'correct',
      opinion: '名称需更正',
      corrections: [{ path: '/form/enterpriseName', message: '企业名称须与核准名称一致' }],
    });
    await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'awaiting_correction',
      'awaiting_correction',
    );
    const supplemented = await call('POST', `/v1/cases/${caseId}/supplements`, {
      headers: caseAuth(caseId),
      body: { form: { enterpriseName: `${application.form.enterpriseName}（已更正）` } },
    });
    expect(supplemented.status, JSON.stringify(supplemented.body)).toBe(202);
    const reReview = await pendingTask(LEAD, caseId, 'review', 1);
    await decide(reReview.id, LEAD, { outcome: 'approve', opinion: '同意' });
    await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'issued',
      'issued',
    );

    // Assess: five events, in the order they happened, each exactly as signed.
    const events = await eventually(
      async () => receiver.eventsOf(caseId),
      (e) => e.length >= 5,
      'five webhook events',
    );
    expect(transitions(events)).toEqual([
      '∅ → submitted',
      'submitted → in_review',
      'in_review → awaiting_correction',
      'awaiting_correction → in_review',
      'in_review → issued',
    ]);
    for (const d of events) {
      expect(verifies(webhook.secret, d)).toBe(true);
      expect(verifies('whsec_bm90LXRoZS1zZWNyZXQtb2YtdGhpcy13ZWJob29r', d)).toBe(false);
      expect(d.headers['webhook-id']).toBe(d.body.id);
      expect(d.headers['content-type']).toBe('application/json');
      expect(Object.keys(d.body).sort()).toEqual(
        [
          'id',
          'type',
          'caseId',
          'status',
          'occurredAt',
          'links',
          ...(d.body.previousStatus ? ['previousStatus'] : []),
        ].sort(),
      );
      expect(d.body.type).toBe('case.status_changed');
      expect(d.body.links.case).toBe(`${target().baseUrl}/v1/cases/${caseId}`);
      // Thin: nothing about the applicant.
      for (const personal of [
        application.applicant.name,
        application.applicant.idNumber,
        application.applicant.phone,
      ])
        expect(d.raw).not.toContain(personal);
    }
    // The link works with the portal's key and the applicant's token.
    expect(
      (await call('GET', new URL(events[0]!.body.links.case).pathname, { headers: caseAuth(caseId) })).status,
    ).toBe(200);
  });

  it('keeps retrying a receiver that fails three times, and it still gets every event', async () => {
    // Prepare: a receiver answering 500 to the first three deliveries of this test's case.
    let caseId = '';
    let failuresLeft = 3;
    const receiver = await startReceiver((body) => {
      if (body.caseId !== caseId || failuresLeft === 0) return 200;
      failuresLeft--;
      return 500;
    });
    cleanup.push(receiver.close);
    const webhook = await register(receiver.url);
    cleanup.push(() => call('DELETE', `/v1/webhooks/${webhook.id}`, { headers: portalKey(0) }));

    // Act: submitted → rejected (the lead department refuses).
    const submitted = await submit(await buildApplication(BUNDLE, [SERVICE]));
    caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    await decide(acceptance.id, LEAD, { outcome: 'reject', opinion: '不属于本机关职权范围' });

    // Assess: both events arrive, after three refused tries, each try signed afresh.
    const events = await eventually(
      async () => receiver.eventsOf(caseId),
      (e) => e.length >= 2,
      'both events despite failures',
    );
    expect(transitions(events)).toEqual(['∅ → submitted', 'submitted → rejected']);
    const mine = receiver.deliveries.filter((d) => d.body.caseId === caseId);
    expect(mine.filter((d) => d.status === 500)).toHaveLength(3);
    expect(Math.max(...mine.map((d) => Number(d.headers['x-yijianshi-delivery-attempt'])))).toBeGreaterThan(
      1,
    );
    for (const d of mine) expect(verifies(webhook.secret, d)).toBe(true);
  });

  it('sends nothing more to a webhook once it is deleted', async () => {
    const receiver = await startReceiver();
    cleanup.push(receiver.close);
    const webhook = await register(receiver.url);
    expect((await call('DELETE', `/v1/webhooks/${webhook.id}`, { headers: portalKey(0) })).status).toBe(200);
    const submitted = await submit(await buildApplication(BUNDLE, [SERVICE]));
    // Another receiver, still registered, shows when the event has gone out.
    const witness = await startReceiver();
    cleanup.push(witness.close);
    const other = await register(witness.url);
    cleanup.push(() => call('DELETE', `/v1/webhooks/${other.id}`, { headers: portalKey(0) }));
    const submitted2 = await submit(await buildApplication(BUNDLE, [SERVICE]));
    await eventually(
      async () => witness.eventsOf(submitted2.body.id),
      (e) => e.length >= 1,
      'witness event',
    );
    expect(receiver.eventsOf(submitted.body.id)).toEqual([]);
    expect(receiver.eventsOf(submitted2.body.id)).toEqual([]);
  });
});

describe('registering webhooks', () => {
  it('refuses a metadata address and a bad description in one 422', async () => {
    const r = await call('POST', '/v1/webhooks', {
      headers: portalKey(0),
      body: { url: 'http://169.254.169.254/latest/meta-data/', description: 42 },
    });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const problems = (r.body.errors as { path: string; code: string }[]).map((e) => `${e.path} ${e.code}`);
    expect(problems).toEqual(expect.arrayContaining(['/url address_not_allowed', '/description wrong_type']));
  });

  it.each([
    'https://[fd00:ec2::254]/',
    'https://100.100.100.200/hook',
    'https://0.0.0.0/',
    'https://[ff02::1]/',
  ])('refuses %s', async (url) => {
    const r = await call('POST', '/v1/webhooks', { headers: portalKey(0), body: { url } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ path: '/url', code: 'address_not_allowed' })]);
  });

  it('keeps a portal’s webhooks away from other portals, and the secret out of listings', async () => {
    // A URL that needs no DNS here: a closed local port (local allowance) or a public address.
    const path = `/yijianshi-e2e/${randomUUID()}`;
    const created = await register(remote ? `https://1.1.1.1${path}` : `http://127.0.0.1:9${path}`);
    const asB = { headers: portalKey(1) };
    const listedByB = await call('GET', '/v1/webhooks', asB);
    expect(listedByB.status).toBe(200);
    expect(listedByB.body.items.map((w: { id: string }) => w.id)).not.toContain(created.id);
    expect((await call('DELETE', `/v1/webhooks/${created.id}`, asB)).status).toBe(404);

    const listedByA = await call('GET', '/v1/webhooks', { headers: portalKey(0) });
    const mine = listedByA.body.items.find((w: { id: string }) => w.id === created.id);
    expect(mine).toEqual({
      id: created.id,
      url: created.url,
      description: 'e2e receiver',
      createdAt: created.createdAt,
    });
    expect(JSON.stringify(listedByA.body)).not.toContain(created.secret);

    expect((await call('DELETE', `/v1/webhooks/${created.id}`, { headers: portalKey(0) })).status).toBe(200);
    expect((await call('DELETE', `/v1/webhooks/${created.id}`, { headers: portalKey(0) })).status).toBe(404);
  });

  it('answers 401 without an API key', async () => {
    expect((await call('GET', '/v1/webhooks')).status).toBe(401);
  });
});
