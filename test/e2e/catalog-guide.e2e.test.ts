/**
 * 一次告知, 一表申请, 一套材料 over HTTP: the merged form asks each shared field once and says which
 * services need it, the merged material list is shorter than the sum of its services' lists, the
 * guide says what is not required because the government holds it, every problem with a chosen
 * subset comes back at once, and the schema's own examples pass the form's own check.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../adapters/catalog/file-catalog.ts';
import { formProblems } from '../../core/catalog/form.ts';
import { mergeFields } from '../../core/catalog/merge.ts';
import { call } from './target.ts';

interface ServiceDetail {
  id: string;
  fields: { fieldId: string }[];
  materials: { typeId: string }[];
}
interface Property {
  title?: string;
  examples?: unknown[];
  'x-services'?: string[];
}

const OPENING = 'enterprise-opening';
const FULL_BUNDLES = [
  'enterprise-opening',
  'restaurant-opening',
  'newborn',
  'second-hand-housing-transfer',
  'after-death',
];

async function bundleDetail(bundleId: string): Promise<{ services: ServiceDetail[] }> {
  const res = await call('GET', `/v1/bundles/${bundleId}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('企业开办: one form, one set of materials, one notice', () => {
  it('asks each shared field once and names every service that needs it in x-services', async () => {
    const [detail, form] = await Promise.all([
      bundleDetail(OPENING),
      call('GET', `/v1/bundles/${OPENING}/form`),
    ]);
    expect(form.status).toBe(200);
    const properties = form.body.schema.properties as Record<string, Property>;

    // Canonical ids: the form has exactly the union of the services' fields, each once.
    const perService = detail.services.flatMap((s) => s.fields.map((f) => f.fieldId));
    const canonical = [...new Set(perService)];
    expect(Object.keys(properties).sort()).toEqual(canonical.sort());
    expect(Object.keys(properties).length).toBeLessThan(perService.length);
    // …and no label is asked twice under another id.
    const titles = Object.values(properties).map((p) => p.title);
    expect(new Set(titles).size).toBe(titles.length);

    for (const [id, property] of Object.entries(properties)) {
      const needing = detail.services.filter((s) => s.fields.some((f) => f.fieldId === id)).map((s) => s.id);
      expect([...(property['x-services'] ?? [])].sort(), id).toEqual(needing.sort());
    }
    // The shared ones of 企业开办: name, legal representative and ID number, address, phone.
    for (const shared of [
      'enterpriseName',
      'legalRepresentativeName',
      'legalRepresentativeIdNumber',
      'registeredAddress',
      'contactPhone',
    ])
      expect(properties[shared]?.['x-services']?.length, shared).toBeGreaterThanOrEqual(5);
    expect(properties.enterpriseName?.['x-services']).toHaveLength(detail.services.length);
  });

  it('merges the materials into a list strictly shorter than the sum over its services', async () => {
    const [detail, guide] = await Promise.all([
      bundleDetail(OPENING),
      call('GET', `/v1/bundles/${OPENING}/guide`),
    ]);
    expect(guide.status).toBe(200);

    const sum = detail.services.reduce((n, s) => n + s.materials.length, 0);
    const merged = [...guide.body.materials, ...guide.body.notRequired] as {
      type: string;
      services: string[];
    }[];
    expect(merged.length).toBeLessThan(sum);
    expect(new Set(merged.map((m) => m.type)).size).toBe(merged.length);
    // Nothing is lost: every service's material is in the merged list, naming that service.
    for (const s of detail.services)
      for (const m of s.materials)
        expect(merged.find((x) => x.type === m.typeId)?.services, `${s.id} ${m.typeId}`).toContain(s.id);
    expect(guide.body.metrics.materials).toMatchObject({ before: sum, after: merged.length });
  });

  it('lists what is NOT required because the government already holds it', async () => {
    const guide = await call('GET', `/v1/bundles/${OPENING}/guide`);

    const notRequired = guide.body.notRequired as { type: string; name: string; reason: string }[];
    expect(notRequired.map((m) => m.type).sort()).toEqual([
      'business-license',
      'legal-representative-id-card',
    ]);
    for (const m of notRequired) {
      expect(m.name).toBeTruthy();
      expect(m.reason).toMatch(/电子证照|e-license/);
    }
    const toUpload = (guide.body.materials as { type: string }[]).map((m) => m.type);
    for (const m of notRequired) expect(toUpload).not.toContain(m.type);
  });

  it.each(['guide', 'form', 'metrics'])(
    'answers a bad subset on /%s with every problem in one 422',
    async (resource) => {
      const res = await call(
        'GET',
        `/v1/bundles/${OPENING}/${resource}?services=company-seal-filing,no-such-service,company-seal-filing`,
      );

      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
        ['/query/services/1', 'unknown_service'],
        ['/query/services/2', 'duplicate_service'],
        ['/query/services', 'service_requires_another'],
      ]);
    },
  );

  it.each(['', '/guide', '/form', '/metrics'])('answers an unknown bundle%s with 404', async (resource) => {
    const res = await call('GET', `/v1/bundles/no-such-bundle${resource}`);

    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the merged form schema tests itself', () => {
  const index = loadCatalogFile(new URL('../../cities/changzhou/catalog.json', import.meta.url).pathname);
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

  it.each(FULL_BUNDLES)(
    '%s: every property has a title and a first example that the form accepts',
    async (id) => {
      const res = await call('GET', `/v1/bundles/${id}/form`);
      expect(res.status).toBe(200);
      const schema = res.body.schema as { properties: Record<string, Property>; required: string[] };

      const examples: Record<string, unknown> = {};
      for (const [field, p] of Object.entries(schema.properties)) {
        expect(p.title, field).toBeTruthy();
        expect(p.examples?.length, field).toBeGreaterThan(0);
        examples[field] = p.examples![0];
      }
      // By the JSON Schema itself (what a portal's form library does)…
      const validate = ajv.compile(schema);
      expect(validate(examples), JSON.stringify(validate.errors)).toBe(true);
      // …and by the rules intake applies (GB 11643 / GB 32100 check characters included).
      const merged = mergeFields(index, index.bundle(id).services);
      expect(formProblems(merged, examples)).toEqual([]);
      expect(schema.required.every((f) => f in examples)).toBe(true);
    },
  );
});

describe('reduction metrics (一件事 measures itself)', () => {
  it('gives the same metrics as the guide for the chosen services', async () => {
    const q = '?services=enterprise-establishment-registration,company-seal-filing,bank-account-booking';
    const [metrics, guide] = await Promise.all([
      call('GET', `/v1/bundles/${OPENING}/metrics${q}`),
      call('GET', `/v1/bundles/${OPENING}/guide${q}`),
    ]);

    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatchObject({
      bundleId: OPENING,
      services: ['enterprise-establishment-registration', 'company-seal-filing', 'bank-account-booking'],
    });
    expect(metrics.body.metrics).toEqual(guide.body.metrics);
    const m = metrics.body.metrics;
    expect(m.fields.after).toBeLessThan(m.fields.before);
    expect(m.materials.toUpload).toBeLessThanOrEqual(m.materials.after);
    expect(m.timeLimitDays.parallel).toBeLessThanOrEqual(m.timeLimitDays.sequentialSum);
  });

  it('measures the whole bundle when no services are chosen, as the bundle detail does', async () => {
    const [metrics, detail] = await Promise.all([
      call('GET', `/v1/bundles/${OPENING}/metrics`),
      call('GET', `/v1/bundles/${OPENING}`),
    ]);

    expect(metrics.status).toBe(200);
    expect(metrics.body.metrics).toEqual(detail.body.metrics);
    expect(metrics.body.metrics.materials.reductionPercent).toBeGreaterThanOrEqual(30);
  });
});
