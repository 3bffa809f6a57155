/**
 * 共享数据自动调用 over HTTP: POST /v1/prefill fills the merged form with what the registries and
 * the e-license library hold about the applicant, and lists the materials already on file. The
 * identities are the synthetic ones the local stack seeds (local/setup/seed-shared-data.ts); a
 * deployed target needs the same seed loaded.
 */
import { describe, expect, it } from 'vitest';
import { idNumberCheckCharacter } from '../../core/shared/identifiers.ts';
import { SEEDED_ENTERPRISES, SEEDED_PERSONS } from '../../local/setup/seed-shared-data.ts';
import {
  applicantAuth,
  buildApplication,
  consentFor,
  DEFAULT_PERSON,
  demoApplicantOf,
  portalKey,
  submit,
} from './portal.ts';
import { call } from './target.ts';

const seeded = (name: string) => {
  const p = SEEDED_PERSONS.find((x) => x.name === name);
  if (!p) throw new Error(`no seeded person ${name}`);
  return p;
};
const CHEN_JING = seeded('陈静');
const SUN_LIXIN = seeded('孙立新');
const ZHOU_TING = seeded('周婷');
const ZHAO_MIN = seeded('赵敏');
const RESTAURANT = SEEDED_ENTERPRISES.find((e) => e.name === '常州青果巷餐饮管理有限公司')!;

/**
 * Prefill as the demo applicant the body asks about (the default person when it names none), with
 * their consent to reuse every field of the form (unless the body gives one).
 */
const prefill = async (
  body: { applicant?: unknown; bundleId?: string; services?: string[]; [k: string]: unknown },
  headers?: Record<string, string>,
) =>
  call('POST', '/v1/prefill', {
    headers: headers ?? applicantAuth(demoApplicantOf(body.applicant)?.id ?? DEFAULT_PERSON),
    body: {
      ...(body.bundleId && !('consent' in body)
        ? { consent: await consentFor(body.bundleId, body.services).catch(() => undefined) }
        : {}),
      ...body,
    },
  });

/** The body without the form values that ask for the identifier: where else does it appear? */
const beyondTheForm = (body: { form?: Record<string, unknown> }, askedFor: readonly string[]) => {
  const form = { ...body.form };
  for (const f of askedFor) delete form[f];
  return JSON.stringify({ ...body, form });
};

describe('POST /v1/prefill', () => {
  it('fills a mother’s newborn form from the population registry and her birth certificate, with her e-licenses on file', async () => {
    const res = await prefill({
      bundleId: 'newborn',
      applicant: { kind: 'person', idNumber: CHEN_JING.idNumber },
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ bundleId: 'newborn', found: true });
    expect(res.body.form).toEqual({
      applicantName: '陈静',
      applicantIdNumber: CHEN_JING.idNumber,
      residentialAddress: CHEN_JING.record.address,
      householdAddress: CHEN_JING.record.householdAddress,
      birthMedicalCertificateNumber: 'Q320998877',
    });
    expect(res.body.missing).toContain('babyName');
    expect(res.body.missing).toContain('contactPhone');
    expect(res.body.missing).not.toContain('applicantName');
    const onFile = res.body.materials as {
      type: string;
      source: string;
      licenseType: string;
      reference: string;
    }[];
    expect(onFile.map((m) => m.type).sort()).toEqual(
      ['birth-medical-certificate', 'household-register', 'marriage-certificate', 'parents-id-cards'].sort(),
    );
    for (const m of onFile) {
      expect(m.source).toBe('eLicense');
      expect(m.reference).toMatch(/^el-/);
    }
    expect(onFile.find((m) => m.type === 'marriage-certificate')?.licenseType).toBe('结婚证');
  });

  it('gives a son his own data for the after-death bundle, never the deceased’s documents', async () => {
    const res = await prefill({
      bundleId: 'after-death',
      applicant: { kind: 'person', idNumber: SUN_LIXIN.idNumber },
    });

    expect(res.status).toBe(200);
    expect(res.body.form).toEqual({ applicantName: '孙立新', applicantIdNumber: SUN_LIXIN.idNumber });
    const onFile = res.body.materials as { type: string; source: string }[];
    expect(onFile.map((m) => [m.type, m.source])).toEqual([
      ['resident-id-card', 'eLicense'],
      ['household-register', 'eLicense'],
      ['cremation-certificate', 'earlierCase'],
    ]);
    expect(res.body.missing).toEqual(
      expect.arrayContaining(['deceasedName', 'deceasedIdNumber', 'dateOfDeath']),
    );
  });

  it('fills the property from a seller’s 不动产权证书, for the chosen services only', async () => {
    const res = await prefill({
      bundleId: 'second-hand-housing-transfer',
      services: ['housing-contract-filing'],
      applicant: { kind: 'person', idNumber: ZHAO_MIN.idNumber },
    });

    expect(res.status).toBe(200);
    expect(res.body.services).toEqual(['housing-contract-filing']);
    expect(res.body.form).toEqual({
      realEstateCertificateNumber: '苏（2018）常州市不动产权第0045678号',
      propertyAddress: '常州市新北区龙锦路88号7幢1单元1502室',
      buildingArea: 112.36,
    });
    expect((res.body.materials as { type: string }[]).map((m) => m.type)).toEqual([
      'resident-id-card',
      'real-estate-certificate',
    ]);
    // The housing form asks for the seller's ID number but does not prefill it: it is nowhere.
    expect(JSON.stringify(res.body)).not.toContain(ZHAO_MIN.idNumber);
  });

  it('does not count an expired e-license as on file', async () => {
    const res = await prefill({
      bundleId: 'after-death',
      applicant: { kind: 'person', idNumber: ZHOU_TING.idNumber },
    });

    expect(res.status).toBe(200);
    expect(res.body.found).toBe(true);
    expect(res.body.form.applicantName).toBe('周婷');
    expect(res.body.materials).toEqual([]);
  });

  it('fills a restaurant’s form from the legal-person registry, with its business license and earlier fire acceptance on file', async () => {
    const res = await prefill({
      bundleId: 'restaurant-opening',
      applicant: { kind: 'organisation', uscc: RESTAURANT.uscc },
    });

    expect(res.status).toBe(200);
    expect(res.body.form).toMatchObject({
      enterpriseName: '常州青果巷餐饮管理有限公司',
      uscc: RESTAURANT.uscc,
      premisesAddress: RESTAURANT.record.businessAddress,
      legalRepresentativeName: '刘洋',
    });
    expect((res.body.materials as { type: string; source: string }[]).map((m) => [m.type, m.source])).toEqual(
      [
        ['business-license', 'eLicense'],
        ['fire-acceptance-proof', 'earlierCase'],
      ],
    );
  });

  it('returns identifiers only in the form fields that ask for them', async () => {
    const person = await prefill({
      bundleId: 'newborn',
      applicant: { kind: 'person', idNumber: CHEN_JING.idNumber },
    });
    const org = await prefill({
      bundleId: 'restaurant-opening',
      applicant: { kind: 'organisation', uscc: RESTAURANT.uscc },
    });

    expect(beyondTheForm(person.body, ['applicantIdNumber'])).not.toContain(CHEN_JING.idNumber);
    // The restaurant's legal representative is 刘洋: his ID number is asked for by the form.
    expect(beyondTheForm(org.body, ['uscc', 'legalRepresentativeIdNumber'])).not.toContain(RESTAURANT.uscc);
  });

  it('completes into an application that intake accepts', async () => {
    const res = await prefill({
      bundleId: 'after-death',
      applicant: { kind: 'person', idNumber: SUN_LIXIN.idNumber },
    });
    const application = await buildApplication('after-death', undefined, 0, 'sun-lixin');

    const created = await submit({ ...application, form: { ...application.form, ...res.body.form } });

    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it('looks up nobody but the signed-in applicant: another person, known or not, is 403 with nothing of them', async () => {
    const first17 = '32040219991231987';
    const unknown = first17 + idNumberCheckCharacter(first17);

    for (const idNumber of [unknown, SUN_LIXIN.idNumber]) {
      const res = await prefill(
        { bundleId: 'newborn', applicant: { kind: 'person', idNumber } },
        applicantAuth('chen-jing'),
      );
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('applicant_mismatch');
      const text = JSON.stringify(res.body);
      for (const leak of [idNumber, SUN_LIXIN.name, SUN_LIXIN.record.address])
        expect(text).not.toContain(leak);
    }
  });

  it('answers an invalid ID number with a 422 naming GB 11643, with every other problem at once', async () => {
    const bad = `${CHEN_JING.idNumber.slice(0, 17)}${CHEN_JING.idNumber[17] === '1' ? '2' : '1'}`;

    const res = await prefill({
      bundleId: 'newborn',
      services: ['no-such-service'],
      applicant: { kind: 'person', idNumber: bad },
    });

    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
      ['/applicant/idNumber', 'invalid_idNumber'],
      ['/services/0', 'unknown_service'],
    ]);
    expect(res.body.errors[0].message).toContain('GB 11643');
    expect(JSON.stringify(res.body)).not.toContain(bad);
  });

  it('answers an invalid credit code with a 422 naming GB 32100', async () => {
    const bad = `${RESTAURANT.uscc.slice(0, 17)}${RESTAURANT.uscc[17] === '0' ? '1' : '0'}`;

    const res = await prefill({
      bundleId: 'restaurant-opening',
      applicant: { kind: 'organisation', uscc: bad },
    });

    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: '/applicant/uscc', code: 'invalid_uscc' }),
    ]);
    expect(res.body.errors[0].message).toContain('GB 32100');
  });

  it('refuses a caller without an API key with 401', async () => {
    const res = await prefill(
      { bundleId: 'newborn', applicant: { kind: 'person', idNumber: CHEN_JING.idNumber } },
      {},
    );

    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain(CHEN_JING.idNumber);
  });

  it('refuses a portal key without the applicant’s token with 401 and a Bearer challenge', async () => {
    const res = await prefill(
      { bundleId: 'newborn', applicant: { kind: 'person', idNumber: CHEN_JING.idNumber } },
      portalKey(),
    );

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(JSON.stringify(res.body)).not.toContain(CHEN_JING.idNumber);
    expect(JSON.stringify(res.body)).not.toContain(CHEN_JING.record.address);
  });
});
