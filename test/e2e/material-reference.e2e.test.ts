/**
 * Materials already on file (an e-license, a material of an earlier case) are cited by the
 * reference POST /v1/prefill gives, instead of being uploaded again (减证便民).
 */
import { describe, expect, it } from 'vitest';
import {
  applicantAuth,
  buildApplication,
  consentFor,
  DEFAULT_ORGANISATION,
  getCase,
  submit,
} from './portal.ts';
import { call } from './target.ts';

const BUNDLE = 'restaurant-opening';
const SERVICES = ['food-business-license', 'restaurant-fire-safety-inspection'];
// A seeded enterprise (local/setup/seed-shared-data.ts) with a fire acceptance from an earlier case.
const USCC = '91320402MA27QK3L8L';

describe('citing a material on file', () => {
  it('accepts the reference from prefill in place of an upload', async () => {
    const prefill = await call('POST', '/v1/prefill', {
      headers: applicantAuth(DEFAULT_ORGANISATION),
      body: {
        bundleId: BUNDLE,
        services: SERVICES,
        applicant: { kind: 'organisation', uscc: USCC },
        consent: await consentFor(BUNDLE, SERVICES),
      },
    });
    expect(prefill.status).toBe(200);
    const onFile = prefill.body.materials.find((m: { type: string }) => m.type === 'fire-acceptance-proof');
    expect(onFile).toMatchObject({ source: 'earlierCase' });

    const app = await buildApplication(BUNDLE, SERVICES);
    const application = {
      ...app,
      applicant: {
        kind: 'organisation',
        name: '常州青果巷餐饮管理有限公司',
        uscc: USCC,
        phone: '13812345678',
      },
      materials: [
        ...app.materials.filter((m) => m.type !== 'fire-acceptance-proof'),
        { type: 'fire-acceptance-proof', reference: onFile.reference },
      ],
    };
    const res = await submit(application);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const shown = await getCase(res.body.id);
    expect(shown.body.materials).toContainEqual({
      type: 'fire-acceptance-proof',
      sharedData: true,
      reference: onFile.reference,
    });
  });

  it('refuses a reference that is not on file for this applicant', async () => {
    const app = await buildApplication(BUNDLE, SERVICES);
    const res = await submit({
      ...app,
      materials: [
        ...app.materials.filter((m) => m.type !== 'fire-acceptance-proof'),
        { type: 'fire-acceptance-proof', reference: 'wq-not-yours' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['material_not_on_file']);
  });
});
