import { startBenchStack } from '../lib/env.ts';
import { applicationTemplate, freshApplication, portalHeaders, bearer } from '../lib/portal.ts';
import { describeCalls } from '../lib/meters.ts';
const b = await startBenchStack();
for (const [bundle, svc] of [['enterprise-opening', ['enterprise-establishment-registration']], ['enterprise-opening', undefined], ['newborn', undefined], ['second-hand-housing-transfer', undefined], ['restaurant-opening', undefined], ['after-death', undefined]] as const) {
  const t = await applicationTemplate(b.api, bundle, svc as any);
  console.log(bundle, svc, 'materials', t.materialTypes.length, 'fields', Object.keys(t.form).length);
}
const t = await applicationTemplate(b.api, 'enterprise-opening', ['enterprise-establishment-registration']);
const key = b.portalKey();
for (let i = 0; i < 3; i++) {
  const app = await freshApplication(b.api, key, t);
  await b.meters.idle(20);
  b.meters.attribute = true;
  const { result, calls } = await b.meters.collect(() => b.api.call('POST', '/v1/cases', { headers: { ...portalHeaders(key), 'idempotency-key': crypto.randomUUID() }, body: app }));
  b.meters.attribute = false;
  console.log(result.status, result.ms.toFixed(1), calls.map(c => `${c.command}@${c.origin}:${c.ms.toFixed(1)}`).join(' | '));
  await b.meters.idle(20);
  const caseId = result.body.id;
  b.meters.attribute = true;
  const g = await b.meters.collect(() => b.api.call('GET', `/v1/cases/${caseId}`, { headers: portalHeaders(key) }));
  console.log('get', g.result.status, g.result.ms.toFixed(1), g.calls.map(c => `${c.command}@${c.origin}`).join(' | '));
  const inbox = await b.api.call('GET', `/v1/departments/market-regulation/tasks?status=pending&limit=100`, { headers: bearer(b.departmentToken('market-regulation')) });
  const task = inbox.body.items.find((x: any) => x.caseId === caseId);
  await b.meters.idle(20);
  const d = await b.meters.collect(() => b.api.call('POST', `/v1/tasks/${task.id}/decision`, { headers: bearer(b.departmentToken('market-regulation')), body: { outcome: 'approve', opinion: 'ok' } }));
  b.meters.attribute = false;
  console.log('decide', d.result.status, d.result.ms.toFixed(1), d.calls.map(c => `${c.command}@${c.origin}`).join(' | '));
  await b.meters.idle(20);
}
await b.stop();
