/**
 * Knowing the applicant (issue 12), through the HTTP API: the applicant's token beside the portal
 * key, prefill only for oneself with consent and a rate limit, submissions bound to the token,
 * held documents citable only by their holder, and an access log of every read of one's data —
 * with departments seeing it in full only while (and shortly after) they work on the case.
 *
 * Demo applicants (local/identity/demo-applicants.ts) sign in at the stack's identity provider:
 * 陈静 (chen-jing) and 刘洋 (liu-yang) are the newborn's parents; 刘洋's prefill quota is spent on
 * the burst test, so nothing else here prefills as him.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { SupervisionSchema } from '../../adapters/http/schemas.ts';
import { caseIdFor } from '../../core/case/model.ts';
import { SEEDED_PERSONS } from '../../local/setup/seed-shared-data.ts';
import { printedCode, verifyLicense } from './licenses.ts';
import {
  applicantAuth,
  buildApplication,
  caseAuth,
  consentFor,
  DEFAULT_ORGANISATION,
  decide,
  demoApplicant,
  departmentAuth,
  eventually,
  pendingTask,
  portalKey,
  submit,
} from './portal.ts';
import { call, target } from './target.ts';

const A = 'chen-jing';
const B = 'liu-yang';
const seeded = (name: string) => SEEDED_PERSONS.find((p) => p.name === name)!;
const NEWBORN_LEAD = 'health';

const prefillBody = async (idNumber: string) => ({
  bundleId: 'newborn',
  applicant: { kind: 'person', idNumber },
  consent: await consentFor('newborn'),
});
const accessLog = (who: string) =>
  call('GET', '/v1/me/access-log?limit=100', { headers: applicantAuth(who) });

describe('prefill, for oneself only', () => {
  it('answers a portal key without the applicant’s token with 401 and a Bearer challenge, revealing nothing', async () => {
    const res = await call('POST', '/v1/prefill', {
      headers: portalKey(),
      body: await prefillBody(demoApplicant(A).idNumber!),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(JSON.stringify(res.body)).not.toContain(seeded('陈静').record.address);
  });

  it('refuses a token that is not a valid one with 401 saying why (invalid_token)', async () => {
    const [h, p] = demoApplicant(A).token.split('.');
    const res = await call('POST', '/v1/prefill', {
      headers: {
        ...portalKey(),
        authorization: `Bearer ${h}.${p}.${Buffer.from('forged').toString('base64url')}`,
      },
      body: await prefillBody(demoApplicant(A).idNumber!),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses A’s token asking about B with 403, with nothing of B in the answer', async () => {
    const b = seeded('刘洋');
    const res = await call('POST', '/v1/prefill', {
      headers: applicantAuth(A),
      body: await prefillBody(b.idNumber),
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('applicant_mismatch');
    const text = JSON.stringify(res.body);
    for (const secret of [b.idNumber, b.name, b.record.address, b.record.householdAddress])
      expect(text).not.toContain(secret);
  });

  it('needs the applicant’s consent: none, or one expired, is 422', async () => {
    const { consent: _none, ...without } = await prefillBody(demoApplicant(A).idNumber!);
    const missing = await call('POST', '/v1/prefill', { headers: applicantAuth(A), body: without });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { code: string }) => e.code)).toEqual(['consent_required']);

    const expired = await call('POST', '/v1/prefill', {
      headers: applicantAuth(A),
      body: {
        ...without,
        consent: { fields: ['applicantName'], expiresAt: new Date(Date.now() - 1000).toISOString() },
      },
    });
    expect(expired.status).toBe(422);
    expect(expired.body.errors.map((e: { code: string }) => e.code)).toEqual(['consent_expiry']);
  });

  it('fills only the consented fields, previews what is reused, records the consent — and the lookup is in the access log', async () => {
    const res = await call('POST', '/v1/prefill', {
      headers: applicantAuth(A),
      body: {
        bundleId: 'newborn',
        applicant: { kind: 'person', idNumber: demoApplicant(A).idNumber },
        consent: { fields: ['applicantName'], expiresAt: new Date(Date.now() + 600_000).toISOString() },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.form).toEqual({ applicantName: '陈静' });
    expect(res.body.missing).toContain('residentialAddress'); // held, but not consented to
    expect(res.body.preview).toEqual([{ field: 'applicantName', source: 'population' }]);
    expect(res.body.consent).toMatchObject({
      purpose: { bundleId: 'newborn' },
      fields: ['applicantName'],
    });

    const log = await eventually(
      () => accessLog(A),
      (r) =>
        r.status === 200 && r.body.items.some((e: { purpose: string }) => e.purpose === 'prefill:newborn'),
      'the prefill in the access log',
      5_000,
    );
    expect(log.body.items.find((e: { purpose: string }) => e.purpose === 'prefill:newborn')).toMatchObject({
      actor: { kind: 'portal', id: 'portal-a' },
    });
  });

  it('never gives a third person’s full identifier: an authorised employee sees the legal representative’s ID number masked', async () => {
    // 周婷 acts for 常州新北精密机械 as authorised, not as its legal representative.
    const org = demoApplicant('xinbei-machinery');
    const res = await call('POST', '/v1/prefill', {
      headers: applicantAuth('xinbei-machinery'),
      body: {
        bundleId: 'restaurant-opening',
        applicant: { kind: 'organisation', uscc: org.uscc },
        consent: await consentFor('restaurant-opening'),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const withheld = (res.body.preview as { field: string; withheld?: boolean; masked?: string }[]).filter(
      (p) => p.withheld,
    );
    expect(withheld.map((p) => p.field)).toContain('legalRepresentativeIdNumber');
    expect(res.body.form.legalRepresentativeIdNumber).toBeUndefined();
    expect(withheld[0]!.masked).toMatch(/^\d{4}\*+\d{3}[\dX]$/);
    // No valid ID number anywhere but the acting person's own (none is asked of her here).
    expect(JSON.stringify(res.body)).not.toMatch(/\b\d{17}[\dX]\b/);
  });

  it('allows 20 lookups per applicant per hour: a burst of 30 gets 429s with Retry-After', async () => {
    const body = await prefillBody(demoApplicant(B).idNumber!);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => call('POST', '/v1/prefill', { headers: applicantAuth(B), body })),
    );
    const ok = answers.filter((r) => r.status === 200);
    const limited = answers.filter((r) => r.status === 429);
    expect(ok.length + limited.length).toBe(30);
    expect(ok.length).toBeLessThanOrEqual(20);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    const retryAfter = Number(limited[0]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limited[0]!.body.code).toBe('too_many_requests');
  });
});

describe('submissions, bound to the token', () => {
  it('refuses applying as B with A’s token (403 applicant_mismatch), and writes nothing', async () => {
    const asB = await buildApplication('newborn', undefined, 0, B);
    const res = await call('POST', '/v1/cases', {
      // The detail in the thrower's own words (English) says what disagrees; zh-CN gives the code's template.
      headers: { ...applicantAuth(A), 'idempotency-key': randomUUID(), 'accept-language': 'en' },
      body: asB,
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('applicant_mismatch');
    expect(res.body.detail).toMatch(/ID number/);
  });

  it('refuses the signed-in person’s ID number with another name (403 saying the name disagrees)', async () => {
    const mine = await buildApplication('newborn', undefined, 0, A);
    const res = await call('POST', '/v1/cases', {
      headers: { ...applicantAuth(A), 'idempotency-key': randomUUID(), 'accept-language': 'en' },
      body: { ...mine, applicant: { ...mine.applicant, name: '张三' } },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('applicant_mismatch');
    expect(res.body.detail).toMatch(/name/);
  });

  it('refuses citing B’s held document: a reference on file is citable only by its holder (422)', async () => {
    // 陈静's e-licenses on file, as her own prefill lists them.
    const hers = await call('POST', '/v1/prefill', {
      headers: applicantAuth(A),
      body: await prefillBody(demoApplicant(A).idNumber!),
    });
    expect(hers.status).toBe(200);
    const held = (hers.body.materials as { type: string; reference: string }[])[0]!;
    expect(held).toBeDefined();

    // 刘洋 applies, citing her document.
    const his = await buildApplication('newborn', undefined, 0, B);
    const res = await submit({
      ...his,
      materials: [
        ...his.materials.filter((m) => m.type !== held.type),
        { type: held.type, reference: held.reference },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toContain('material_not_on_file');
  });

  it('records who acted: the case answers its applicant, and another applicant of the same portal gets 404', async () => {
    const res = await submit(await buildApplication('newborn', undefined, 0, A));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const caseId = res.body.id as string;
    expect((await call('GET', `/v1/cases/${caseId}`, { headers: caseAuth(caseId) })).status).toBe(200);
    const other = await call('GET', `/v1/cases/${caseId}`, { headers: applicantAuth(B) });
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain(demoApplicant(A).idNumber!);
  });
});

describe('unguessable case ids', () => {
  it('gives a case a random id, not one computed from the Idempotency-Key; the key still replays', async () => {
    const key = randomUUID();
    const application = await buildApplication('newborn', undefined, 0, A);
    const first = await submit(application, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.id).toMatch(/^c-[0-9a-hjkmnp-tv-z]{26}$/);
    expect(first.body.id).not.toBe(caseIdFor('portal-a', key)); // the old, computable derivation
    const again = await submit(application, key);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('unguessable license ids and the printed verification code', () => {
  /** An enterprise's case with one service, accepted and approved: its one e-license. */
  async function issuedLicense() {
    const submitted = await submit(
      await buildApplication(
        'enterprise-opening',
        ['enterprise-establishment-registration'],
        0,
        DEFAULT_ORGANISATION,
      ),
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    for (const kind of ['acceptance', 'review'] as const) {
      const task = await pendingTask('market-regulation', caseId, kind);
      expect(
        (await decide(task.id, 'market-regulation', { outcome: 'approve', opinion: '同意' })).status,
      ).toBe(200);
    }
    await eventually(
      () => call('GET', `/v1/cases/${caseId}`, { headers: caseAuth(caseId) }),
      (r) => r.body.status === 'issued',
      `case ${caseId} issued`,
    );
    const listed = await call('GET', `/v1/cases/${caseId}/licenses`, { headers: caseAuth(caseId) });
    const license = listed.body.items[0] as { id: string; downloadUrl: string };
    return { caseId, license, code: await printedCode(license.downloadUrl) };
  }

  it('a license id alone verifies nothing: without the code, or with a wrong one, it is as unknown as a made-up id', async () => {
    const { caseId, license, code } = await issuedLicense();
    // Random, and nothing of the case in it.
    expect(license.id).toMatch(/^l-[0-9a-hjkmnp-tv-z]{26}$/);
    expect(license.id).not.toContain(caseId);
    // The code is printed on the license document its holder downloads.
    expect(await (await fetch(license.downloadUrl)).text()).toContain(code);

    const unknown = await verifyLicense('l-0000000000000000000000000z', code);
    expect(unknown.status).toBe(404);
    const wrong = `${code.slice(0, 8)}${code.endsWith('0') ? '1' : '0'}`;
    for (const [what, res] of [
      ['the id alone', await verifyLicense(license.id, undefined)],
      ['a wrong code', await verifyLicense(license.id, wrong)],
      ['the old computable id', await verifyLicense(`${caseId}.enterprise-establishment-registration`, code)],
    ] as const) {
      expect(res.status, what).toBe(404);
      const { instance: _i, ...body } = res.body;
      const { instance: _u, ...unknownBody } = unknown.body;
      expect(body, what).toEqual(unknownBody);
      expect(JSON.stringify(res.body), what).not.toContain('常州');
    }

    // The id with its code: valid, the holder shown masked only now.
    const ok = await verifyLicense(license.id, code);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, licenseId: license.id, holder: { kind: 'organisation' } });
    expect(ok.body.holder.identifier).not.toBe(demoApplicant(DEFAULT_ORGANISATION).uscc);
  });
});

describe('帮办代办: a helper applies for the applicant under a recorded authorisation', () => {
  // 周婷 authorises 赵敏 (who signs in herself, with her own token) for the after-death bundle.
  const PRINCIPAL = 'zhou-ting';
  const HELPER = 'zhao-min';
  const asHelper = (application: unknown) =>
    call('POST', '/v1/cases', {
      headers: { ...applicantAuth(HELPER), 'idempotency-key': randomUUID() },
      body: application,
    });

  it('refuses the helper until authorised, then records who acted for whom, and refuses again once revoked', async () => {
    const forHer = await buildApplication('after-death', undefined, 0, PRINCIPAL);
    const before = await asHelper(forHer);
    expect(before.status).toBe(403);
    expect(before.body.code).toBe('applicant_mismatch');

    const granted = await call('POST', '/v1/me/authorisations', {
      headers: applicantAuth(PRINCIPAL),
      body: {
        helper: { kind: 'person', idNumber: demoApplicant(HELPER).idNumber, name: '赵敏' },
        scope: { bundleIds: ['after-death'] },
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    expect(granted.body).toMatchObject({ state: 'in_force', helper: { kind: 'person', name: '赵敏' } });
    expect(granted.body.helper.identifier).not.toBe(demoApplicant(HELPER).idNumber);
    const id = granted.body.id as string;
    const mine = await call('GET', '/v1/me/authorisations', { headers: applicantAuth(PRINCIPAL) });
    expect(mine.body.items.map((a: { id: string }) => a.id)).toContain(id);
    // Nobody else can see or revoke it.
    const others = await call('GET', '/v1/me/authorisations', { headers: applicantAuth(HELPER) });
    expect(others.body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    expect((await call('DELETE', `/v1/me/authorisations/${id}`, { headers: applicantAuth(A) })).status).toBe(
      404,
    );

    // The helper applies for her: the case says a helper acted, under which authorisation.
    const submitted = await asHelper(forHer);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    for (const who of [HELPER, PRINCIPAL]) {
      const seen = await call('GET', `/v1/cases/${caseId}`, { headers: applicantAuth(who) });
      expect(seen.status, who).toBe(200);
      expect(seen.body.actedBy).toEqual({ basis: 'authorisation', authorisationId: id, helper: true });
    }
    // …and her access log shows it.
    const log = await accessLog(PRINCIPAL);
    expect(log.body.items).toContainEqual(
      expect.objectContaining({
        actor: expect.objectContaining({ kind: 'helper' }),
        purpose: `authorisation:${id}`,
        caseId,
      }),
    );

    // Outside the scope (another bundle): refused.
    const other = await asHelper(await buildApplication('newborn', undefined, 0, PRINCIPAL));
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('applicant_mismatch');

    // Revoked: refused from now on; revoking twice is a conflict.
    const revoked = await call('DELETE', `/v1/me/authorisations/${id}`, {
      headers: applicantAuth(PRINCIPAL),
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe('revoked');
    expect(
      (await call('DELETE', `/v1/me/authorisations/${id}`, { headers: applicantAuth(PRINCIPAL) })).status,
    ).toBe(409);
    const after = await asHelper(await buildApplication('after-death', undefined, 0, PRINCIPAL));
    expect(after.status).toBe(403);
    expect(after.body.code).toBe('applicant_mismatch');
  });

  it('refuses an authorisation of oneself, an unknown bundle or a past expiry (422), and without a token (401)', async () => {
    const bad = await call('POST', '/v1/me/authorisations', {
      headers: applicantAuth(PRINCIPAL),
      body: {
        helper: { kind: 'person', idNumber: demoApplicant(PRINCIPAL).idNumber, name: '周婷' },
        scope: { bundleIds: ['no-such-bundle'] },
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { code: string }) => e.code)).toEqual(['unknown_bundle']);
    const self = await call('POST', '/v1/me/authorisations', {
      headers: applicantAuth(PRINCIPAL),
      body: {
        helper: { kind: 'person', idNumber: demoApplicant(PRINCIPAL).idNumber, name: '周婷' },
        scope: { bundleIds: ['after-death'] },
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      },
    });
    expect(self.status).toBe(422);
    expect(self.body.errors.map((e: { code: string }) => e.code).sort()).toEqual([
      'expires_before_start',
      'helper_is_principal',
    ]);
    expect((await call('GET', '/v1/me/authorisations', { headers: portalKey() })).status).toBe(401);
  });
});

describe('counter (窗口) portals: applicants verified in person', () => {
  const COUNTER = target().credentials.portals.findIndex((p) => (p as { counter?: boolean }).counter);
  const atCounter = (portal: number, application: unknown, officer?: string) =>
    call('POST', '/v1/counter/cases', {
      headers: {
        ...portalKey(portal),
        'idempotency-key': randomUUID(),
        ...(officer ? { 'applicant-verified-in-person': officer } : {}),
      },
      body: application,
    });

  it('lets a counter portal submit for an applicant its officer verified, recording the counter and the officer', async () => {
    expect(COUNTER).toBeGreaterThan(-1);
    const application = await buildApplication('newborn', undefined, COUNTER, B);

    const res = await atCounter(COUNTER, application, 'officer-0042');

    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const caseId = res.body.id as string;
    // The applicant, signed in later through the counter's portal, sees it as theirs: verified by the counter.
    const seen = await call('GET', `/v1/cases/${caseId}`, { headers: applicantAuth(B, COUNTER) });
    expect(seen.status).toBe(200);
    expect(seen.body.actedBy).toEqual({
      basis: 'self',
      helper: false,
      verifiedBy: { kind: 'counter', officer: 'officer-0042' },
    });
    // The officer must be named.
    expect((await atCounter(COUNTER, application)).status).toBe(400);
  });

  it('refuses the same from a portal that is not a counter (403 not_a_counter), creating nothing', async () => {
    const application = await buildApplication('newborn', undefined, 0, B);
    const key = randomUUID();
    const res = await call('POST', '/v1/counter/cases', {
      headers: { ...portalKey(0), 'idempotency-key': key, 'applicant-verified-in-person': 'officer-0042' },
      body: application,
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('not_a_counter');
    // Nothing was written under that key: B's own submission with it is a new case.
    const own = await submit(application, key);
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.headers.get('idempotent-replayed')).toBe('false');
  });
});

describe('GET /v1/cases: my cases', () => {
  it('lists this portal’s cases of the signed-in applicant, newest first, a page at a time', async () => {
    // 孙立新 applies three times through portal A, once through portal B.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await submit(await buildApplication('after-death', undefined, 0, 'sun-lixin'));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.id as string);
    }
    const viaB = await submit(
      await buildApplication('after-death', undefined, 1, 'sun-lixin'),
      randomUUID(),
      1,
    );
    expect(viaB.status).toBe(201);

    const first = await call('GET', '/v1/cases?limit=2', { headers: applicantAuth('sun-lixin') });
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.items[0]).toMatchObject({ bundleId: 'after-death', status: expect.any(String) });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await call('GET', `/v1/cases?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      headers: applicantAuth('sun-lixin'),
    });
    expect(rest.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);

    // Portal B sees only its own case of hers; another applicant none of hers.
    const throughB = await call('GET', '/v1/cases?limit=100', { headers: applicantAuth('sun-lixin', 1) });
    expect(throughB.body.items.map((c: { id: string }) => c.id)).toEqual([viaB.body.id]);
    const other = await call('GET', '/v1/cases?limit=100', { headers: applicantAuth(A) });
    expect(other.body.items.some((c: { id: string }) => ids.includes(c.id))).toBe(false);
  });

  it('needs the applicant’s token (401 with a portal key alone)', async () => {
    const res = await call('GET', '/v1/cases', { headers: portalKey() });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('the access log and departments’ view of personal data', () => {
  it('shows a department reading A’s task detail in A’s access log within seconds', async () => {
    const res = await submit(await buildApplication('newborn', undefined, 0, A));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const caseId = res.body.id as string;
    const task = await pendingTask(NEWBORN_LEAD, caseId, 'acceptance');

    const detail = await call('GET', `/v1/tasks/${task.id}`, { headers: departmentAuth(NEWBORN_LEAD) });
    expect(detail.status).toBe(200);
    expect(detail.body.case.personalData).toBe('full');
    expect(detail.body.case.applicant.idNumber).toBe(demoApplicant(A).idNumber);

    const log = await eventually(
      () => accessLog(A),
      (r) => r.status === 200 && r.body.items.some((e: { caseId?: string }) => e.caseId === caseId),
      'the department’s read in the access log',
      5_000,
    );
    const entries = (
      log.body.items as { caseId?: string; purpose: string; actor: unknown; at: string }[]
    ).filter((e) => e.caseId === caseId);
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: { kind: 'department', id: NEWBORN_LEAD },
        purpose: `task:${task.id}`,
      }),
    );
    // Its materials came with download links: that read is logged too.
    expect(entries.map((e) => e.purpose)).toContain(`material:${task.id}`);
    // And B's log has none of it.
    const bs = await accessLog(B);
    expect(bs.body.items.some((e: { caseId?: string }) => e.caseId === caseId)).toBe(false);
  });

  it('shows supervision (电子监察) no applicant’s personal data: the tasks only, so there is no read to log', async () => {
    // The answer's schema has no place for an applicant: no applicant, name, ID number or phone field.
    const fields = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
        return;
      }
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'properties' && v && typeof v === 'object') for (const f of Object.keys(v)) fields.add(f);
        walk(v);
      }
    };
    walk(z.toJSONSchema(SupervisionSchema, { io: 'input' }));
    for (const personal of ['applicant', 'name', 'idNumber', 'uscc', 'phone', 'address', 'form'])
      expect(fields.has(personal), personal).toBe(false);

    // And A's open acceptance task, due within a working day, is in it — without anything of hers.
    const res = await submit(await buildApplication('newborn', undefined, 0, A));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const caseId = res.body.id as string;
    const task = await pendingTask(NEWBORN_LEAD, caseId, 'acceptance');
    const supervision = await eventually(
      () => call('GET', '/v1/supervision', { headers: departmentAuth('supervision') }),
      (r) => r.status === 200 && JSON.stringify(r.body).includes(task.id),
      'the acceptance task in supervision',
      5_000,
    );
    const text = JSON.stringify(supervision.body);
    for (const secret of [demoApplicant(A).idNumber!, '陈静', seeded('陈静').record.address])
      expect(text).not.toContain(secret);
    const log = await accessLog(A);
    expect(
      log.body.items
        .filter((e: { caseId?: string }) => e.caseId === caseId)
        .map((e: { actor: { kind: string } }) => e.actor.kind),
    ).not.toContain('supervisor');
  });

  it('masks the ID number in task detail once the case is closed and the period (4 s in tests) has passed', async () => {
    const res = await submit(await buildApplication('newborn', undefined, 0, A));
    const caseId = res.body.id as string;
    const task = await pendingTask(NEWBORN_LEAD, caseId, 'acceptance');
    const withdrawn = await call('POST', `/v1/cases/${caseId}/withdrawal`, {
      headers: caseAuth(caseId),
      body: {},
    });
    expect(withdrawn.status).toBe(200);

    const masked = await eventually(
      () => call('GET', `/v1/tasks/${task.id}`, { headers: departmentAuth(NEWBORN_LEAD) }),
      (r) => r.status === 200 && r.body.case.personalData === 'masked',
      'task detail masked after the period',
      15_000,
    );
    const idNumber = demoApplicant(A).idNumber!;
    expect(masked.body.case.applicant.idNumber).toMatch(/^\d{4}\*+\d{3}[\dX]$/);
    expect(JSON.stringify(masked.body)).not.toContain(idNumber);
    expect(JSON.stringify(masked.body)).not.toContain('downloadUrl');
  });
});
