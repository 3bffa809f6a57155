import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Catalog, CatalogSchema } from '../../core/catalog/schema.ts';

const citiesDir = new URL('../../cities/', import.meta.url);
const cityIds = readdirSync(citiesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function readCatalog(city: string): unknown {
  return JSON.parse(readFileSync(new URL(`${city}/catalog.json`, citiesDir), 'utf8'));
}

function loadCatalog(city: string): Catalog {
  return CatalogSchema.parse(readCatalog(city));
}

/**
 * The Changzhou list, transcribed from 常州市“一件事一次办”任务分工(2022年版) (附件1) and 地方探索“一件事”
 * (附件2) into simplified Chinese: bundle name → lead department → cooperating departments, in the
 * seed's order. Resolved on transcription:
 * - 开办网吧 and 非学科类校外培训机构审批 list two leads: the first is the lead, the second heads the
 *   cooperating departments.
 * - The seed spells 市住房公积金管理中心 also 市公积金管理中心 (item 12), and 市住房城乡建设局 also 市住建局
 *   (item 23): one department each.
 * - Item 24's lead 市市场监管局（市知识产权局） is the same department as 市市场监管局.
 * - 附件2 abbreviates district departments after the first (“金坛区民政局、住建局、市场监管局”): each is the
 *   district's own department.
 */
const CHANGZHOU: readonly (readonly [name: string, lead: string, cooperating: readonly string[]])[] = [
  [
    '企业开办',
    '市市场监管局',
    ['市公安局', '人民银行常州市中心支行', '常州市税务局', '市人力资源和社会保障局', '市住房公积金管理中心'],
  ],
  ['企业准营（开办餐饮店）', '市市场监管局', ['市城管局', '市消防救援支队', '市政务办（市行政审批局）']],
  ['就业登记（员工录用）', '市人力资源和社会保障局', ['市医保局', '市住房公积金管理中心']],
  ['就业登记（灵活就业）', '市人力资源和社会保障局', ['市医保局', '市住房公积金管理中心']],
  ['涉企不动产登记', '市自然资源和规划局', ['常州市税务局']],
  ['企业简易注销', '市市场监管局', ['常州市税务局']],
  [
    '新生儿出生',
    '市卫生健康委',
    ['市公安局', '市民政局', '市人力资源和社会保障局', '市医保局', '常州市税务局'],
  ],
  ['结婚（公民婚育）', '市民政局', ['市公安局', '市卫生健康委']],
  ['扶残助困', '市残联', ['市民政局', '市人力资源和社会保障局', '市医保局']],
  [
    '军人退役',
    '市退役军人事务局',
    ['市公安局', '常州军分区动员处', '市人力资源和社会保障局', '市医保局', '市住房公积金管理中心'],
  ],
  [
    '二手房转移登记及水电气联动过户',
    '市自然资源和规划局',
    ['市住房城乡建设局', '常州市税务局', '国网常州电力公司'],
  ],
  ['退休（企业职工退休）', '市人力资源和社会保障局', ['市卫生健康委', '市医保局', '市住房公积金管理中心']],
  [
    '公民身后',
    '市民政局',
    [
      '市公安局',
      '市人力资源和社会保障局',
      '市卫生健康委',
      '市退役军人事务局',
      '市医保局',
      '市残联',
      '市司法局',
      '市住房公积金管理中心',
    ],
  ],
  [
    '重大项目建设审批',
    '市政务办（市行政审批局）',
    ['市发改委', '市自然资源和规划局', '市住房城乡建设局', '市交通运输局', '市水利局'],
  ],
  ['人才服务', '市人力资源和社会保障局', ['市公安局', '市住房城乡建设局']],
  [
    '教育入学',
    '市教育局',
    ['市公安局', '市民政局', '市人力资源和社会保障局', '市自然资源和规划局', '市卫生健康委'],
  ],
  ['尊老金申报', '市民政局', ['市公安局']],
  ['基本医疗保险参保人员医疗费用报销', '市医保局', []],
  ['网约车申请', '市交通运输局', ['市公安局']],
  ['开办运输企业', '市交通运输局', ['市公安局']],
  ['开办旅馆', '市公安局', ['市城管局', '市卫生健康委', '市政务办（市行政审批局）', '市消防救援支队']],
  [
    '开办网吧',
    '市文化广电和旅游局',
    ['市政务办（市行政审批局）', '市公安局', '市城管局', '市市场监管局', '市消防救援支队'],
  ],
  [
    '公租房申请',
    '市住房城乡建设局',
    ['市公安局', '市民政局', '市人力资源和社会保障局', '市自然资源和规划局'],
  ],
  [
    '知识产权保护',
    '市市场监管局',
    ['市司法局', '市农业农村局', '市文化广电和旅游局', '市委宣传部（市版权局）', '市科教城管委会'],
  ],
  ['开办便利店', '市市场监管局', ['市委宣传部（市新闻出版局）', '市城管局', '市烟草专卖局']],
  ['开办药店', '市市场监管局', ['市城管局', '市政务办（市行政审批局）', '市消防救援支队']],
  // 附件2 地方探索“一件事”
  ['国际航行船舶联合查验', '常州海事局', ['常州海关', '常州出入境边防检查站']],
  [
    '非学科类校外培训机构审批',
    '金坛区科技局',
    ['金坛区文广旅局', '金坛区民政局', '金坛区住建局', '金坛区市场监管局'],
  ],
  [
    '开办剧本杀店审管',
    '天宁区文广旅局',
    ['天宁区公安分局', '天宁区住建局', '天宁区城管局', '天宁区应急局', '天宁区市场监管局', '天宁区消防大队'],
  ],
];

const FULL_BUNDLES = [
  'enterprise-opening',
  'newborn',
  'second-hand-housing-transfer',
  'restaurant-opening',
  'after-death',
] as const;

describe('city catalogs', () => {
  it('finds at least two city catalogs', () => {
    expect(cityIds).toEqual(expect.arrayContaining(['changzhou', 'langfang']));
  });

  it.each(cityIds)(
    'parses cities/%s/catalog.json with the catalog schema, first examples included',
    (city) => {
      const result = CatalogSchema.safeParse(readCatalog(city));

      expect(result.success ? [] : result.error.issues).toEqual([]);
      expect(result.data?.city.id).toBe(city);
    },
  );

  it.each(cityIds)('gives every full bundle of %s a material list that deduplication shortens', (city) => {
    const catalog = loadCatalog(city);

    for (const bundle of catalog.bundles.filter((b) => b.detail === 'full')) {
      const requested = bundle.services.reduce((n, s) => n + s.materials.length, 0);
      const distinct = new Set(bundle.services.flatMap((s) => s.materials.map((m) => m.typeId))).size;
      expect(requested, bundle.id).toBeGreaterThan(distinct);
    }
  });

  it.each(cityIds)('uses every field, material and department %s defines', (city) => {
    const catalog = loadCatalog(city);
    const services = catalog.bundles.flatMap((b) => b.services);
    // A field is used when a service asks for it, or when a service's result produces it (results as data).
    const fields = new Set(
      services.flatMap((s) => [
        ...s.fields.map((f) => f.fieldId),
        ...(s.result.produces ?? []).map((p) => p.fieldId),
      ]),
    );
    const materials = new Set(services.flatMap((s) => s.materials.map((m) => m.typeId)));
    const departments = new Set(catalog.bundles.flatMap((b) => [b.leadDepartmentId, ...b.departmentIds]));

    expect(catalog.fields.map((f) => f.id).filter((id) => !fields.has(id))).toEqual([]);
    expect(catalog.materials.map((m) => m.id).filter((id) => !materials.has(id))).toEqual([]);
    expect(catalog.departments.map((d) => d.id).filter((id) => !departments.has(id))).toEqual([]);
  });

  it.each(cityIds)('gives every department of a %s bundle at least one service', (city) => {
    const catalog = loadCatalog(city);

    for (const bundle of catalog.bundles) {
      const idle = [bundle.leadDepartmentId, ...bundle.departmentIds].filter(
        (d) => !bundle.services.some((s) => s.departmentId === d),
      );
      expect(idle, bundle.id).toEqual([]);
    }
  });
});

describe('Changzhou catalog', () => {
  const catalog = loadCatalog('changzhou');
  const departmentName = new Map(catalog.departments.map((d) => [d.id, d.name]));

  it('has exactly 29 bundles: 26 standard ones and 3 local explorations', () => {
    expect(catalog.bundles).toHaveLength(29);
    expect(catalog.bundles.filter((b) => b.category === 'local')).toHaveLength(3);
    expect(catalog.bundles.filter((b) => b.category !== 'local')).toHaveLength(26);
  });

  it("lists all 29 Changzhou bundles with the seed's departments", () => {
    const actual = catalog.bundles.map((b) => [
      b.name,
      departmentName.get(b.leadDepartmentId),
      b.departmentIds.map((d) => departmentName.get(d)),
    ]);

    expect(actual).toEqual(CHANGZHOU);
  });

  it('cites the seed appendix and item for every bundle', () => {
    catalog.bundles.forEach((b, i) => {
      const [appendix, item] = i < 26 ? ['附件1', i + 1] : ['附件2', i - 25];
      expect(b.source, b.id).toContain(appendix);
      expect(b.source, b.id).toContain(`第${item}项`);
    });
  });

  it('marks only 企业开办 as a premium bundle', () => {
    expect(catalog.bundles.filter((b) => b.category === 'premium').map((b) => b.id)).toEqual([
      'enterprise-opening',
    ]);
  });

  it('details all 29 bundles fully, none of them a draft', () => {
    expect(catalog.bundles.filter((b) => b.detail !== 'full' || b.draft).map((b) => b.id)).toEqual([]);
    for (const id of FULL_BUNDLES) expect(catalog.bundles.find((b) => b.id === id)?.detail, id).toBe('full');
  });

  it('asks every service of every bundle for form fields and materials', () => {
    for (const s of catalog.bundles.flatMap((b) => b.services)) {
      expect(s.fields.length, s.id).toBeGreaterThan(0);
      // A payment (缴费) may need no document, only the form.
      if (s.result.kind !== 'payment') expect(s.materials.length, s.id).toBeGreaterThan(0);
      expect(s.conditions.length, s.id).toBeGreaterThan(0);
      expect(s.legalBasis.length, s.id).toBeGreaterThan(0);
    }
  });

  it('asks each shared 企业开办 field once in the merged form', () => {
    const bundle = catalog.bundles.find((b) => b.id === 'enterprise-opening')!;
    const asked = bundle.services.flatMap((s) => s.fields.map((f) => f.fieldId));
    const distinct = new Set(asked);

    expect(asked.length).toBeGreaterThan(distinct.size);
    for (const shared of [
      'enterpriseName',
      'legalRepresentativeName',
      'legalRepresentativeIdNumber',
      'contactPhone',
    ]) {
      expect(
        bundle.services.every((s) => s.fields.some((f) => f.fieldId === shared)),
        shared,
      ).toBe(true);
    }
  });

  it('makes every 企业开办 service after registration require and follow 企业设立登记', () => {
    const bundle = catalog.bundles.find((b) => b.id === 'enterprise-opening')!;
    const others = bundle.services
      .map((s) => s.id)
      .filter((id) => id !== 'enterprise-establishment-registration');

    for (const id of others) {
      expect(bundle.rules).toContainEqual(
        expect.objectContaining({
          kind: 'requires',
          service: id,
          requires: 'enterprise-establishment-registration',
        }),
      );
      expect(bundle.rules).toContainEqual(
        expect.objectContaining({
          kind: 'order',
          before: 'enterprise-establishment-registration',
          after: id,
        }),
      );
    }
  });

  it('binds second-hand housing tax payment and transfer registration together (先税后证)', () => {
    const bundle = catalog.bundles.find((b) => b.id === 'second-hand-housing-transfer')!;

    expect(bundle.rules).toContainEqual(
      expect.objectContaining({
        kind: 'together',
        services: expect.arrayContaining(['housing-transaction-tax', 'real-estate-transfer-registration']),
      }),
    );
  });

  it('offers 告知承诺 for the food business license', () => {
    const service = catalog.bundles.flatMap((b) => b.services).find((s) => s.id === 'food-business-license');

    expect(service?.commitment).toBe(true);
  });

  it('keeps committed time limits within legal ones and every material accepting PDF', () => {
    for (const s of catalog.bundles.flatMap((b) => b.services)) {
      expect(s.timeLimit.committedDays, s.id).toBeLessThanOrEqual(s.timeLimit.legalDays);
    }
    for (const m of catalog.materials) expect(m.accept, m.id).toContain('application/pdf');
  });

  it('marks names, ID numbers and phone numbers as personal data', () => {
    for (const f of catalog.fields.filter(
      (f) => f.type === 'idNumber' || f.type === 'phone' || /Name$/.test(f.id),
    )) {
      // An organisation's name (名称, not a person's 姓名) is public, as is a bank's.
      if (f.title.includes('名称') || f.id === 'bankName') continue;
      expect(f.personal, f.id).toBe(true);
    }
  });
});

describe('Langfang catalog', () => {
  it('stands on its own with five bundles, all of them fully detailed', () => {
    const catalog = loadCatalog('langfang');

    expect(catalog.city).toEqual({ id: 'langfang', name: '廊坊市', region: '河北省' });
    expect(catalog.bundles).toHaveLength(5);
    expect(catalog.bundles.filter((b) => b.detail !== 'full' || b.draft).map((b) => b.id)).toEqual([]);
    expect(catalog.departments.every((d) => d.name.includes('廊坊'))).toBe(true);
  });
});
