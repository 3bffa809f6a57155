/**
 * The catalog's growth: calendar-day limits beside working days, materials per party (each seller,
 * each heir…), conditional fields and materials (委托代理 → 授权委托书) rendered with if/then, and
 * outline bundles refused unless marked draft. Checked on a small catalog of its own.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { checkApplication, type MaterialFacts } from '../case/application.ts';
import { messageFor } from '../shared/error-codes.ts';
import { ValidationError } from '../shared/errors.ts';
import { idNumberCheckCharacter } from '../shared/identifiers.ts';
import { indexCatalog } from './catalog-index.ts';
import { formJsonSchema, formProblems } from './form.ts';
import { guide, reductionMetrics } from './guide.ts';
import { mergeFields, mergeMaterials } from './merge.ts';
import { type CatalogInput, CatalogSchema } from './schema.ts';
import { committedDeadline } from './time-limit.ts';

const id17 = '32040219900101123';
const ID = id17 + idNumberCheckCharacter(id17);

const input = (): CatalogInput => ({
  schemaVersion: 1,
  city: { id: 'test', name: '测试市' },
  version: 't',
  departments: [
    { id: 'land', name: '不动产登记中心' },
    { id: 'tax', name: '税务局' },
  ],
  fields: [
    { id: 'buyerName', title: '买受人姓名', type: 'string', examples: ['张伟'] },
    { id: 'sellerCount', title: '出卖人人数', type: 'integer', minimum: 1, maximum: 10, examples: [2] },
    { id: 'applyingByAgent', title: '是否委托代理人办理', type: 'boolean', examples: [true, false] },
    { id: 'agentName', title: '代理人姓名', type: 'string', examples: ['李娜'] },
    {
      id: 'paymentMethod',
      title: '付款方式',
      type: 'enum',
      options: [
        { value: 'full', title: '一次性付款' },
        { value: 'loan', title: '贷款' },
        { value: 'fund-loan', title: '公积金贷款' },
      ],
      examples: ['loan'],
    },
  ],
  materials: ['seller-id-card', 'agent-authorization', 'loan-contract', 'sale-contract'].map((id) => ({
    id,
    name: id,
    holder: 'any' as const,
    accept: ['application/pdf'],
    maxBytes: 1000,
  })),
  parties: [{ id: 'seller', title: '出卖人', countField: 'sellerCount' }],
  bundles: [
    {
      id: 'transfer',
      name: '二手房',
      audience: 'person',
      detail: 'full',
      leadDepartmentId: 'land',
      departmentIds: ['tax'],
      services: [
        {
          id: 'registration',
          name: '转移登记',
          departmentId: 'land',
          fields: [
            { fieldId: 'buyerName' },
            { fieldId: 'sellerCount' },
            { fieldId: 'applyingByAgent' },
            { fieldId: 'agentName', when: { field: 'applyingByAgent', equals: true } },
            { fieldId: 'paymentMethod' },
          ],
          materials: [
            { typeId: 'seller-id-card', perParty: 'seller' },
            { typeId: 'sale-contract' },
            { typeId: 'agent-authorization', when: { field: 'applyingByAgent', equals: true } },
            { typeId: 'loan-contract', when: { field: 'paymentMethod', equals: ['loan', 'fund-loan'] } },
          ],
          timeLimit: { legalDays: 30, committedDays: 3 },
          result: {
            kind: 'certificate',
            name: '不动产权证书',
            data: ['buyerName'],
            licenseType: '不动产权证书',
          },
        },
        {
          id: 'tax',
          name: '契税申报',
          departmentId: 'tax',
          fields: [{ fieldId: 'buyerName' }, { fieldId: 'applyingByAgent' }],
          materials: [
            { typeId: 'sale-contract' },
            { typeId: 'agent-authorization', when: { field: 'applyingByAgent', equals: true } },
          ],
          timeLimit: { legalDays: 30, committedDays: 10, unit: 'calendar' },
          result: { kind: 'payment', name: '完税证明' },
        },
      ],
    },
  ],
});

const index = indexCatalog(CatalogSchema.parse(input()));
const bundle = index.bundle('transfer');
const fields = mergeFields(index, bundle.services);
const materials = mergeMaterials(index, bundle.services);
const issues = (c: unknown) => {
  const r = CatalogSchema.safeParse(c);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('the catalog schema', () => {
  it('refuses an outline bundle unless it is marked draft', () => {
    const outline = input();
    outline.bundles[0]!.detail = 'outline';
    expect(issues(outline)).toEqual([expect.stringContaining('only outlined')]);
    outline.bundles[0]!.draft = true;
    expect(issues(outline)).toEqual([]);
  });

  it('refuses conditions on fields the service does not ask, and invalid condition values', () => {
    const bad = input();
    const s = bad.bundles[0]!.services[1]!;
    s.fields!.push({ fieldId: 'agentName', when: { field: 'paymentMethod', equals: 'loan' } });
    s.materials!.push({ typeId: 'loan-contract', when: { field: 'applyingByAgent', equals: 'yes' } });
    expect(issues(bad)).toEqual([
      expect.stringContaining('"paymentMethod", which is not a field of "tax"'),
      expect.stringContaining('"yes" is not a valid "applyingByAgent"'),
    ]);
  });

  it('refuses a party without its count field, and one type asked per two kinds of party', () => {
    const bad = input();
    bad.parties!.push({ id: 'buyer', title: '买受人', countField: 'sellerCount' });
    bad.bundles[0]!.services[1]!.materials!.push({ typeId: 'seller-id-card', perParty: 'buyer' });
    expect(issues(bad)).toEqual([
      expect.stringContaining('"tax" asks per buyer but not for "sellerCount"'),
      expect.stringContaining('"seller-id-card" is asked per seller elsewhere, not per buyer'),
    ]);
  });

  it('keeps calendar-day and working-day limits apart, working days by default', () => {
    const [registration, tax] = bundle.services;
    expect(registration!.timeLimit.unit).toBe('working');
    expect(tax!.timeLimit.unit).toBe('calendar');
  });
});

describe('calendar-day limits', () => {
  it('count every day, ending on the next working day when the last one is not', () => {
    // Monday 2025-06-02 + 10 calendar days = Thursday 2025-06-12, end of day in China.
    expect(
      committedDeadline(new Date('2025-06-02T02:00:00Z'), { committedDays: 10, unit: 'calendar' }),
    ).toEqual(new Date('2025-06-12T15:59:59.999Z'));
    // Friday 2025-06-06 + 1 = Saturday → Monday 2025-06-09; 1 working day gives the same Monday.
    expect(
      committedDeadline(new Date('2025-06-06T02:00:00Z'), { committedDays: 1, unit: 'calendar' }),
    ).toEqual(new Date('2025-06-09T15:59:59.999Z'));
    // Monday + 10 working days is two weeks later, not 10 days.
    expect(committedDeadline(new Date('2025-06-02T02:00:00Z'), { committedDays: 10 })).toEqual(
      new Date('2025-06-16T15:59:59.999Z'),
    );
  });

  it('are measured in working days beside working-day limits (5 in 7)', () => {
    expect(reductionMetrics(index, bundle.services).timeLimitDays).toEqual({
      parallel: 8,
      sequentialSum: 11,
    });
  });
});

describe('conditional fields and materials', () => {
  it('merge as conditional unless some service needs them unconditionally', () => {
    expect(fields.find((f) => f.field.id === 'agentName')?.when).toEqual([
      { field: 'applyingByAgent', equals: true },
    ]);
    expect(materials.find((m) => m.material.id === 'agent-authorization')?.when).toEqual([
      { field: 'applyingByAgent', equals: true },
    ]);
    expect(materials.find((m) => m.material.id === 'sale-contract')?.when).toBeUndefined();
  });

  it('render as if/then in the merged JSON Schema, which ajv applies', () => {
    const schema = formJsonSchema('二手房', fields);
    expect(schema.required).not.toContain('agentName');
    expect(schema.allOf).toEqual([
      {
        if: { properties: { applyingByAgent: { const: true } }, required: ['applyingByAgent'] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
        then: { required: ['agentName'] },
      },
    ]);
    const ajv = new Ajv2020({ strict: true, strictRequired: false, validateFormats: false });
    for (const k of ['x-services', 'x-when', 'x-enum-titles']) ajv.addKeyword(k);
    const validate = ajv.compile(schema);
    const base = { buyerName: '张伟', sellerCount: 1, paymentMethod: 'full' };
    expect(validate({ ...base, applyingByAgent: false })).toBe(true);
    expect(validate({ ...base, applyingByAgent: true })).toBe(false);
    expect(validate({ ...base, applyingByAgent: true, agentName: '李娜' })).toBe(true);
  });

  it('are required by the form check only when the answer makes them so', () => {
    const base = { buyerName: '张伟', sellerCount: 1, paymentMethod: 'full' };
    expect(formProblems(fields, { ...base, applyingByAgent: false })).toEqual([]);
    expect(formProblems(fields, { ...base, applyingByAgent: true }).map((p) => p.path)).toEqual([
      '/form/agentName',
    ]);
  });

  it('say in the guide when they apply, and how many copies a per-party material needs', () => {
    const g = guide(index, bundle, bundle.services);
    const byType = new Map(g.materials.map((m) => [m.type, m]));
    expect(byType.get('loan-contract')?.when).toEqual([
      { field: 'paymentMethod', equals: ['loan', 'fund-loan'] },
    ]);
    expect(byType.get('seller-id-card')?.perParty).toMatchObject({
      party: 'seller',
      title: '出卖人',
      countField: 'sellerCount',
    });
    expect(g.services[0]!.result).toMatchObject({ data: ['buyerName'], licenseType: '不动产权证书' });
  });
});

describe('the application check', () => {
  let n = 0;
  const facts = new Map<string, MaterialFacts>();
  const upload = (type: string) => {
    const materialId = `m-${String(++n).padStart(20, '0')}`;
    facts.set(materialId, { materialId, type, bundleId: 'transfer', state: 'verified' });
    return { type, materialId };
  };
  const application = (
    form: Record<string, unknown>,
    materialRefs: { type: string; materialId: string }[],
  ) => ({
    bundleId: 'transfer',
    applicant: { kind: 'person', name: '张伟', idNumber: ID, phone: '13812345678' },
    form: { buyerName: '张伟', sellerCount: 2, applyingByAgent: false, paymentMethod: 'full', ...form },
    materials: materialRefs,
    delivery: { method: 'electronic' },
  });
  const problems = (body: unknown) => {
    try {
      checkApplication(index, body, facts);
      return [];
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return err.problems.map((p) => `${p.code} ${p.message}`);
    }
  };
  const sellers = () => [upload('seller-id-card'), upload('seller-id-card')];

  it('accepts the application without the conditional materials when their answers are not given', () => {
    expect(problems(application({}, [...sellers(), upload('sale-contract')]))).toEqual([]);
  });

  it('asks for the 授权委托书 when an agent applies, and the loan contract when paying by loan', () => {
    expect(
      problems(
        application({ applyingByAgent: true, agentName: '李娜', paymentMethod: 'fund-loan' }, [
          ...sellers(),
          upload('sale-contract'),
        ]),
      ),
    ).toEqual([
      expect.stringMatching(/^material_missing agent-authorization/),
      expect.stringMatching(/^material_missing loan-contract/),
    ]);
    expect(
      problems(
        application({ applyingByAgent: true, agentName: '李娜', paymentMethod: 'loan' }, [
          ...sellers(),
          upload('sale-contract'),
          upload('agent-authorization'),
          upload('loan-contract'),
        ]),
      ),
    ).toEqual([]);
  });

  it('asks a per-party material once for each party the form counts, and no more often', () => {
    expect(problems(application({}, [upload('seller-id-card'), upload('sale-contract')]))).toEqual([
      expect.stringMatching(/^material_missing seller-id-card .*出卖人.*1 more/),
    ]);
    expect(problems(application({ sellerCount: 1 }, [...sellers(), upload('sale-contract')]))).toEqual([
      expect.stringMatching(/^duplicate_material .*1 出卖人/),
    ]);
  });

  it('names the missing material and who asks for it in Chinese too (the default language)', () => {
    let zh: string[] = [];
    try {
      checkApplication(index, application({}, [upload('seller-id-card'), upload('sale-contract')]), facts);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      zh = err.problems.map((p) => messageFor(p.code, 'zh-CN', p.params));
    }
    expect(zh).toEqual([
      expect.stringMatching(/^缺少必需的材料：.*（seller-id-card），.+需要（每位出卖人一份，还差 1 份）。$/),
    ]);
  });

  it('still refuses a material given twice when it is not asked per party', () => {
    expect(
      problems(application({}, [...sellers(), upload('sale-contract'), upload('sale-contract')])),
    ).toEqual([expect.stringMatching(/^duplicate_material .*given twice/)]);
  });
});
