import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.ts';
import { idNumberCheckCharacter, usccCheckCharacter } from '../shared/identifiers.ts';
import { indexCatalog } from './catalog-index.ts';
import { mergeFields, mergeMaterials } from './merge.ts';
import {
  checkPrefillRequest,
  type HeldLicense,
  prefillApplication,
  prefillFrom,
  type SharedRecords,
} from './prefill.ts';
import { type CatalogInput, CatalogSchema } from './schema.ts';

const ID = (() => {
  const first17 = '32040219920315462';
  return first17 + idNumberCheckCharacter(first17);
})();
const OTHER_ID = (() => {
  const first17 = '32041219750109017';
  return first17 + idNumberCheckCharacter(first17);
})();
const USCC = (() => {
  const first17 = '91320402MA27QK3L8';
  return first17 + usccCheckCharacter(first17);
})();

const pdf = { accept: ['application/pdf'], maxBytes: 1000 };
const input: CatalogInput = {
  schemaVersion: 1,
  city: { id: 'test', name: '测试市' },
  version: 't',
  departments: [
    { id: 'police', name: '公安' },
    { id: 'housing', name: '住建' },
  ],
  fields: [
    {
      id: 'applicantName',
      title: '姓名',
      type: 'string',
      maxLength: 4,
      examples: ['张三'],
      prefill: { source: 'population', attribute: 'name' },
    },
    {
      id: 'applicantIdNumber',
      title: '身份号码',
      type: 'idNumber',
      examples: [ID],
      prefill: { source: 'population', attribute: 'idNumber' },
    },
    {
      id: 'enterpriseName',
      title: '企业名称',
      type: 'string',
      examples: ['某公司'],
      prefill: { source: 'legalPerson', attribute: 'enterpriseName' },
    },
    { id: 'deceasedIdNumber', title: '逝者身份号码', type: 'idNumber', examples: [OTHER_ID] },
    {
      id: 'propertyAddress',
      title: '房屋坐落',
      type: 'string',
      examples: ['某路1号'],
      prefill: { source: 'license', licenseType: '不动产权证书', attribute: 'location' },
    },
    {
      id: 'certificateNumber',
      title: '证书号',
      type: 'string',
      examples: ['苏（2018）第1号'],
      prefill: { source: 'license', licenseType: '不动产权证书', attribute: 'number' },
    },
    { id: 'contactPhone', title: '电话', type: 'phone', examples: ['13812345678'] },
  ],
  materials: [
    {
      id: 'id-card',
      name: '身份证',
      holder: 'person',
      sharedData: { source: 'eLicense', licenseType: '居民身份证' },
      ...pdf,
    },
    {
      id: 'deceased-id-card',
      name: '逝者身份证',
      holder: 'person',
      sharedData: { source: 'eLicense', licenseType: '居民身份证', holderField: 'deceasedIdNumber' },
      ...pdf,
    },
    {
      id: 'property-cert',
      name: '不动产权证书',
      holder: 'any',
      sharedData: { source: 'eLicense', licenseType: '不动产权证书' },
      ...pdf,
    },
    { id: 'contract', name: '合同', holder: 'any', sharedData: { source: 'earlierCase' }, ...pdf },
    { id: 'photo', name: '照片', holder: 'person', ...pdf },
  ],
  bundles: [
    {
      id: 'house',
      name: '卖房',
      audience: 'person',
      detail: 'full',
      leadDepartmentId: 'housing',
      departmentIds: ['police'],
      services: [
        {
          id: 'filing',
          name: '备案',
          departmentId: 'housing',
          fields: [
            { fieldId: 'applicantName' },
            { fieldId: 'propertyAddress' },
            { fieldId: 'certificateNumber' },
          ],
          materials: [{ typeId: 'property-cert' }, { typeId: 'contract' }, { typeId: 'id-card' }],
          timeLimit: { legalDays: 5, committedDays: 1 },
          result: { kind: 'registration', name: '备案' },
        },
        {
          id: 'cancel',
          name: '注销',
          departmentId: 'police',
          fields: [
            { fieldId: 'applicantName' },
            { fieldId: 'applicantIdNumber' },
            { fieldId: 'enterpriseName', required: false },
            { fieldId: 'deceasedIdNumber' },
            { fieldId: 'contactPhone' },
          ],
          materials: [{ typeId: 'id-card' }, { typeId: 'deceased-id-card' }, { typeId: 'photo' }],
          timeLimit: { legalDays: 5, committedDays: 2 },
          result: { kind: 'notice', name: '注销' },
        },
      ],
      rules: [{ kind: 'requires', service: 'cancel', requires: 'filing' }],
    },
  ],
};
const index = indexCatalog(CatalogSchema.parse(input));
const bundle = index.bundle('house');
const fields = mergeFields(index, bundle.services);
const materials = mergeMaterials(index, bundle.services);
const TODAY = '2025-06-01';

const lic = (licenseType: string, extra: Partial<HeldLicense> = {}): HeldLicense => ({
  licenseId: `el-${licenseType}-${extra.number ?? '1'}`,
  licenseType,
  number: 'N-1',
  issuer: '某局',
  issuedAt: '2020-01-01',
  attributes: {},
  ...extra,
});
const property = (n: string, location: string) =>
  lic('不动产权证书', { licenseId: `el-p-${n}`, number: `苏（2018）第${n}号`, attributes: { location } });
const none: SharedRecords = { licenses: [], earlierMaterials: [] };
const person = (attributes: Record<string, string>): SharedRecords => ({
  ...none,
  registry: { source: 'population', attributes },
});

describe('prefillFrom (共享数据自动调用)', () => {
  it('fills fields from the registry of the applicant’s kind and lists the rest as missing, in form order', () => {
    const result = prefillFrom(
      fields,
      materials,
      person({ name: '陈静', idNumber: ID, enterpriseName: '不该用' }),
      TODAY,
    );

    expect(result.form).toEqual({ applicantName: '陈静', applicantIdNumber: ID });
    expect(result.missing).toEqual(
      fields.map((f) => f.field.id).filter((id) => id !== 'applicantName' && id !== 'applicantIdNumber'),
    );
  });

  it('does not fill a legal-person field from a population record, nor the other way round', () => {
    const org: SharedRecords = {
      ...none,
      registry: { source: 'legalPerson', attributes: { enterpriseName: '常州某公司', name: 'x' } },
    };

    const result = prefillFrom(fields, materials, org, TODAY);

    expect(result.form).toEqual({ enterpriseName: '常州某公司' });
  });

  it('leaves a held value that the field would refuse for the applicant to fill', () => {
    const result = prefillFrom(
      fields,
      materials,
      person({ name: '名字太长了的人', idNumber: '320402199203154620' }),
      TODAY,
    );

    expect(result.form).toEqual({});
    expect(result.missing).toContain('applicantName');
    expect(result.missing).toContain('applicantIdNumber');
  });

  it('fills license fields from the one valid license of the named type, its number included', () => {
    const result = prefillFrom(
      fields,
      materials,
      { ...none, licenses: [property('7', '龙锦路88号')] },
      TODAY,
    );

    expect(result.form).toEqual({ propertyAddress: '龙锦路88号', certificateNumber: '苏（2018）第7号' });
  });

  it('leaves license fields to the applicant when two licenses of the type are held, but keeps the material on file', () => {
    const result = prefillFrom(
      fields,
      materials,
      { ...none, licenses: [property('7', '龙锦路88号'), property('8', '青果巷1号')] },
      TODAY,
    );

    expect(result.form).toEqual({});
    expect(result.materials.map((m) => m.type)).toEqual(['property-cert']);
  });

  it('puts the applicant’s own valid e-licenses and earlier files on file, never someone else’s document', () => {
    const records: SharedRecords = {
      licenses: [
        lic('居民身份证', { licenseId: 'el-id', validUntil: '2030-01-01' }),
        property('7', '龙锦路88号'),
      ],
      earlierMaterials: [{ materialType: 'contract', reference: 'wq-1', submittedAt: '2025-01-01' }],
    };

    const result = prefillFrom(fields, materials, records, TODAY);

    expect(result.materials).toEqual([
      {
        type: 'id-card',
        name: '身份证',
        source: 'eLicense',
        licenseType: '居民身份证',
        reference: 'el-id',
        validUntil: '2030-01-01',
      },
      {
        type: 'property-cert',
        name: '不动产权证书',
        source: 'eLicense',
        licenseType: '不动产权证书',
        reference: 'el-p-7',
      },
      { type: 'contract', name: '合同', source: 'earlierCase', reference: 'wq-1' },
    ]);
  });

  it('ignores expired and not yet valid licenses', () => {
    const records: SharedRecords = {
      ...none,
      licenses: [
        lic('居民身份证', { validUntil: '2025-05-31' }),
        lic('不动产权证书', { issuedAt: '2025-06-02', attributes: { location: '某路' } }),
      ],
    };

    const result = prefillFrom(fields, materials, records, TODAY);

    expect(result.materials).toEqual([]);
    expect(result.form).toEqual({});
  });

  it('splits the merged fields exactly into filled and missing, whatever is held', () => {
    const value = fc.option(fc.oneof(fc.string({ maxLength: 6 }), fc.constant(ID), fc.integer()), {
      nil: undefined,
    });
    fc.assert(
      fc.property(value, value, value, value, (name, idNumber, enterpriseName, location) => {
        const attrs = Object.fromEntries(
          Object.entries({ name, idNumber, enterpriseName }).filter(([, v]) => v !== undefined),
        ) as Record<string, string | number>;
        const records: SharedRecords = {
          registry: { source: 'population', attributes: attrs },
          licenses: location === undefined ? [] : [lic('不动产权证书', { attributes: { location } })],
          earlierMaterials: [],
        };
        const result = prefillFrom(fields, materials, records, TODAY);
        const filled = Object.keys(result.form);
        expect([...filled, ...result.missing].sort()).toEqual(fields.map((f) => f.field.id).sort());
        expect(filled.filter((id) => result.missing.includes(id))).toEqual([]);
      }),
    );
  });
});

describe('checkPrefillRequest', () => {
  const problems = (body: unknown) => {
    try {
      checkPrefillRequest(index, body);
    } catch (err) {
      if (err instanceof ValidationError) return err.problems;
      throw err;
    }
    return [];
  };

  it('reports a bad ID number, an unknown service, a duplicate and a broken rule in one answer', () => {
    const bad = `${ID.slice(0, 17)}${ID[17] === '0' ? '1' : '0'}`;

    const found = problems({
      bundleId: 'house',
      services: ['cancel', 'nope', 'cancel'],
      applicant: { kind: 'person', idNumber: bad },
    });

    expect(found.map((p) => [p.path, p.code])).toEqual([
      ['/applicant/idNumber', 'invalid_idNumber'],
      ['/services/1', 'unknown_service'],
      ['/services/2', 'duplicate_service'],
      ['/services', 'service_requires_another'],
    ]);
    expect(found[0]!.message).toContain('GB 11643');
    expect(JSON.stringify(found)).not.toContain(bad);
  });

  it('checks a credit code with GB 32100 and reports an unknown bundle', () => {
    const found = problems({
      bundleId: 'nope',
      applicant: { kind: 'organisation', uscc: `${USCC.slice(0, 17)}Z` },
    });

    expect(found.map((p) => p.code)).toEqual(['invalid_uscc', 'unknown_bundle']);
    expect(found[0]!.message).toContain('GB 32100');
  });

  it('answers any body with a result or a list of problems, and never repeats the identifier sent', () => {
    const identifier = fc.oneof(fc.stringMatching(/^\d{17}[\dX]$/), fc.string({ maxLength: 30 }));
    const body = fc.oneof(
      fc.anything(),
      fc.record({
        bundleId: fc.oneof(fc.constant('house'), fc.string()),
        services: fc.option(fc.array(fc.oneof(fc.constantFrom('filing', 'cancel'), fc.anything())), {
          nil: undefined,
        }),
        applicant: fc.oneof(
          fc.record({ kind: fc.constant('person'), idNumber: identifier }),
          fc.record({ kind: fc.constant('organisation'), uscc: identifier }),
        ),
      }),
    );
    fc.assert(
      fc.property(body, (b) => {
        const sent = (b as { applicant?: { idNumber?: string; uscc?: string } } | null)?.applicant;
        const secret = sent?.idNumber ?? sent?.uscc;
        for (const p of problems(b)) {
          // A JSON Pointer (RFC 6901): '' is the whole body (a body that is no object at all).
          expect(p.path === '' || p.path.startsWith('/'), p.path).toBe(true);
          if (secret && secret.length >= 8) expect(p.message).not.toContain(secret);
        }
      }),
    );
  });

  it('reports the shape problems too', () => {
    expect(problems({ bundleId: 'house', applicant: { kind: 'robot' } }).map((p) => p.path)).toEqual([
      '/applicant/kind',
    ]);
    expect(problems('nothing').length).toBeGreaterThan(0);
  });
});

describe('prefillApplication', () => {
  it('answers an unknown applicant with found: false and an empty form', async () => {
    const answer = await prefillApplication(
      { sharedData: { lookup: async () => none }, now: () => new Date('2025-06-01T02:00:00Z') },
      index,
      { bundleId: 'house', applicant: { kind: 'organisation', uscc: USCC } },
    );

    expect(answer).toMatchObject({
      bundleId: 'house',
      services: ['filing', 'cancel'],
      found: false,
      form: {},
      materials: [],
    });
    expect(answer.missing).toHaveLength(fields.length);
  });

  it('looks the applicant up by the identifier given, for the chosen services only', async () => {
    const asked: unknown[] = [];
    const answer = await prefillApplication(
      {
        sharedData: {
          lookup: async (applicant) => {
            asked.push(applicant);
            return person({ name: '陈静', idNumber: ID });
          },
        },
        now: () => new Date('2025-06-01T02:00:00Z'),
      },
      index,
      { bundleId: 'house', services: ['filing'], applicant: { kind: 'person', idNumber: ID } },
    );

    expect(asked).toEqual([{ kind: 'person', idNumber: ID }]);
    expect(answer).toMatchObject({ found: true, services: ['filing'], form: { applicantName: '陈静' } });
    expect(answer.missing).toEqual(['propertyAddress', 'certificateNumber']);
  });
});
