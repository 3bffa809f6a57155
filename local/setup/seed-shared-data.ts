/**
 * Synthetic shared data for the local stack (共享数据自动调用 needs something to find): population
 * registry records, legal-person registry records, e-licenses and files from earlier cases, for a
 * few made-up people and enterprises of Changzhou. Every identifier is synthetic but valid (the
 * check characters are computed), so the API accepts them; none belongs to anyone.
 *
 * The attribute names are the ones the catalog's fields prefill from (cities/changzhou/catalog.json
 * `prefill: { source, attribute, licenseType }`), and the license types the ones its materials name
 * (`sharedData.licenseType`). Exported as constants so tests and the README can use them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  earlierMaterialItem,
  eLicenseItem,
  registryRecordItem,
} from '#adapters/dynamodb/shared-data-items.ts';
import type { Attributes, EarlierMaterial, HeldLicense } from '#core/catalog/prefill.ts';
import { idNumberCheckCharacter, usccCheckCharacter } from '#core/shared/identifiers.ts';

/** GB 11643: region (6) + birth date (8) + sequence (3, odd for men) + check character. */
const idNumber = (region: string, birth: string, seq: string) => {
  const first17 = `${region}${birth}${seq}`;
  return first17 + idNumberCheckCharacter(first17);
};

/** GB 32100: authority 9 + type 1 (enterprise) + region (6) + organisation code (9) + check character. */
const uscc = (region: string, org: string) => {
  const first17 = `91${region}${org}`;
  return first17 + usccCheckCharacter(first17);
};

let licenseSeq = 0;
const license = (
  licenseType: string,
  number: string,
  issuer: string,
  issuedAt: string,
  validUntil?: string,
  attributes: Attributes = {},
): HeldLicense => ({
  licenseId: `el-cz-${String(++licenseSeq).padStart(6, '0')}`,
  licenseType,
  number,
  issuer,
  issuedAt,
  ...(validUntil ? { validUntil } : {}),
  attributes,
});

export interface SeededHolder {
  /** What this identity demonstrates, for the README walkthrough. */
  readonly demo: string;
  readonly name: string;
  readonly record: Attributes;
  readonly licenses: readonly HeldLicense[];
  readonly earlierMaterials: readonly EarlierMaterial[];
}
export interface SeededPerson extends SeededHolder {
  readonly idNumber: string;
}
export interface SeededEnterprise extends SeededHolder {
  readonly uscc: string;
}

const CHEN_JING = idNumber('320402', '19920315', '462');
const LIU_YANG = idNumber('320404', '19900812', '135');
const ZHAO_MIN = idNumber('320411', '19681120', '284');
const SUN_LIXIN = idNumber('320412', '19750109', '017');
const ZHOU_TING = idNumber('320402', '19850630', '326');

/** Cards issued after 46 are valid indefinitely (长期): `validUntil` omitted. */
const idCard = (number: string, issuer: string, issuedAt: string, validUntil?: string) =>
  license('居民身份证', number, issuer, issuedAt, validUntil);

export const SEEDED_PERSONS: readonly SeededPerson[] = [
  {
    demo: 'newborn — a mother: name, ID number, addresses and the birth certificate number filled in; ID card, household register, marriage and birth certificates on file',
    name: '陈静',
    idNumber: CHEN_JING,
    record: {
      name: '陈静',
      idNumber: CHEN_JING,
      gender: 'female',
      birthDate: '1992-03-15',
      address: '常州市天宁区延陵西路23号3幢602室',
      householdAddress: '常州市天宁区延陵西路23号3幢602室',
      phone: '13961120001',
    },
    licenses: [
      idCard(CHEN_JING, '常州市公安局天宁分局', '2021-05-10', '2041-05-10'),
      license('居民户口簿', '320402004567', '常州市公安局天宁分局', '2019-10-08'),
      license('结婚证', 'J320402-2019-000321', '常州市天宁区民政局', '2019-09-20'),
      license('出生医学证明', 'Q320998877', '常州市妇幼保健院', '2025-03-05', undefined, {
        certificateNumber: 'Q320998877',
        babyName: '刘思远',
        babyBirthDate: '2025-03-01',
      }),
    ],
    earlierMaterials: [],
  },
  {
    demo: 'newborn — the father; also legal representative of 常州青果巷餐饮管理有限公司',
    name: '刘洋',
    idNumber: LIU_YANG,
    record: {
      name: '刘洋',
      idNumber: LIU_YANG,
      gender: 'male',
      birthDate: '1990-08-12',
      address: '常州市天宁区延陵西路23号3幢602室',
      householdAddress: '常州市钟楼区勤业路160号12幢301室',
      phone: '13961120002',
    },
    licenses: [
      idCard(LIU_YANG, '常州市公安局钟楼分局', '2015-08-20', '2035-08-20'),
      license('居民户口簿', '320404007788', '常州市公安局钟楼分局', '2012-04-16'),
      license('结婚证', 'J320402-2019-000322', '常州市天宁区民政局', '2019-09-20'),
      license('机动车驾驶证', LIU_YANG, '常州市公安局交通警察支队', '2012-07-09', '2028-07-09'),
      license('机动车行驶证', 'XS320400-2022-118532', '常州市公安局交通警察支队', '2022-11-08', undefined, {
        plateNumber: '苏DD27Q85',
        registeredAt: '2022-11-08',
      }),
    ],
    earlierMaterials: [],
  },
  {
    demo: 'second-hand-housing-transfer — a seller: property certificate number, address and area filled in from 不动产权证书; the signed sale contract on file from an earlier case',
    name: '赵敏',
    idNumber: ZHAO_MIN,
    record: {
      name: '赵敏',
      idNumber: ZHAO_MIN,
      gender: 'female',
      birthDate: '1968-11-20',
      address: '常州市新北区龙锦路88号7幢1单元1502室',
      householdAddress: '常州市新北区龙锦路88号7幢1单元1502室',
      phone: '13961120003',
    },
    licenses: [
      idCard(ZHAO_MIN, '常州市公安局新北分局', '2016-01-05'),
      license('结婚证', 'J320411-1994-000087', '常州市新北区民政局', '1994-05-01'),
      license('居民户口簿', '320411002233', '常州市公安局新北分局', '2008-06-18'),
      license('独生子女父母光荣证', '320411-1995-000734', '常州市新北区卫生健康委员会', '1995-03-14'),
      license(
        '不动产权证书',
        '苏（2018）常州市不动产权第0045678号',
        '常州市自然资源和规划局',
        '2018-07-12',
        undefined,
        {
          certificateNumber: '苏（2018）常州市不动产权第0045678号',
          location: '常州市新北区龙锦路88号7幢1单元1502室',
          buildingArea: 112.36,
          use: 'residential',
        },
      ),
    ],
    earlierMaterials: [
      { materialType: 'house-sale-contract', reference: 'wq-2025-320411-008812', submittedAt: '2025-05-06' },
    ],
  },
  {
    demo: 'after-death — a son: name and ID number filled in, his own ID card and household register on file, the cremation certificate from an earlier case; the deceased’s documents are NOT his',
    name: '孙立新',
    idNumber: SUN_LIXIN,
    record: {
      name: '孙立新',
      idNumber: SUN_LIXIN,
      gender: 'male',
      birthDate: '1975-01-09',
      address: '常州市武进区湖塘镇人民中路5号2幢201室',
      householdAddress: '常州市武进区湖塘镇人民中路5号2幢201室',
      phone: '13961120004',
    },
    licenses: [
      idCard(SUN_LIXIN, '常州市公安局武进分局', '2020-03-02', '2040-03-02'),
      license('居民户口簿', '320412001199', '常州市公安局武进分局', '2001-11-23'),
      license('退出现役证', 'TY1997320412000561', '中国人民解放军某部', '1997-12-01'),
    ],
    earlierMaterials: [
      {
        materialType: 'cremation-certificate',
        reference: 'hh-2025-320412-000415',
        submittedAt: '2025-04-21',
      },
    ],
  },
  {
    demo: 'any person bundle — an ID card e-license that has expired: the data is filled in, the expired card is not on file; disability-assistance — her 残疾人证 number and level filled in',
    name: '周婷',
    idNumber: ZHOU_TING,
    record: {
      name: '周婷',
      idNumber: ZHOU_TING,
      gender: 'female',
      birthDate: '1985-06-30',
      address: '常州市天宁区局前街9号5幢403室',
      householdAddress: '常州市天宁区局前街9号5幢403室',
      phone: '13961120005',
    },
    licenses: [
      idCard(ZHOU_TING, '常州市公安局天宁分局', '2004-06-30', '2024-06-30'),
      license('残疾人证', `${ZHOU_TING}42`, '常州市残疾人联合会', '2021-08-16', '2031-08-16', { level: '2' }),
    ],
    earlierMaterials: [],
  },
];

const RESTAURANT = uscc('320402', 'MA27QK3L8');
const DIGITAL = uscc('320411', 'MA2DPX9N4');
const MACHINERY = uscc('320400', '7K3B0R5E6');

const businessLicense = (number: string, issuer: string, issuedAt: string) =>
  license('营业执照', number, issuer, issuedAt);

export const SEEDED_ENTERPRISES: readonly SeededEnterprise[] = [
  {
    demo: 'restaurant-opening — name, credit code, addresses, scope and legal representative filled in; business license on file, the fire acceptance from an earlier case',
    name: '常州青果巷餐饮管理有限公司',
    uscc: RESTAURANT,
    record: {
      enterpriseName: '常州青果巷餐饮管理有限公司',
      uscc: RESTAURANT,
      enterpriseType: 'limited-liability',
      registeredAddress: '常州市天宁区青果巷56号',
      businessAddress: '常州市天宁区青果巷58号1-2层',
      businessScope: '许可项目：餐饮服务；食品销售。一般项目：餐饮管理；外卖递送服务。',
      legalRepresentativeName: '刘洋',
      legalRepresentativeIdNumber: LIU_YANG,
      establishedOn: '2024-09-02',
      phone: '13961120002',
    },
    licenses: [businessLicense(RESTAURANT, '常州市天宁区市场监督管理局', '2024-09-02')],
    earlierMaterials: [
      {
        materialType: 'fire-acceptance-proof',
        reference: 'xf-2024-320402-001562',
        submittedAt: '2024-11-18',
      },
    ],
  },
  {
    demo: 'enterprise or restaurant bundles — a software company with its business license',
    name: '常州运河数字科技有限公司',
    uscc: DIGITAL,
    record: {
      enterpriseName: '常州运河数字科技有限公司',
      uscc: DIGITAL,
      enterpriseType: 'limited-liability',
      registeredAddress: '常州市新北区太湖东路9号2幢1203室',
      businessAddress: '常州市新北区太湖东路9号2幢1203室',
      businessScope: '一般项目：软件开发；信息系统集成服务；技术服务、技术开发、技术咨询。',
      legalRepresentativeName: '陈静',
      legalRepresentativeIdNumber: CHEN_JING,
      establishedOn: '2023-04-17',
      phone: '13961120001',
    },
    licenses: [businessLicense(DIGITAL, '常州国家高新技术产业开发区（新北区）市场监督管理局', '2023-04-17')],
    earlierMaterials: [],
  },
  {
    demo: 'enterprise-real-estate-registration and ip-protection — its 不动产权证书 (industrial) and 专利证书 fill the certificate fields',
    name: '常州新北精密机械股份有限公司',
    uscc: MACHINERY,
    record: {
      enterpriseName: '常州新北精密机械股份有限公司',
      uscc: MACHINERY,
      enterpriseType: 'joint-stock',
      registeredAddress: '常州市新北区河海西路300号',
      businessAddress: '常州市新北区河海西路300号',
      businessScope: '一般项目：通用设备制造；机械零部件加工；金属切削加工服务。',
      legalRepresentativeName: '孙立新',
      legalRepresentativeIdNumber: SUN_LIXIN,
      establishedOn: '2006-12-28',
      phone: '13961120004',
    },
    licenses: [
      license(
        '不动产权证书',
        '苏（2016）常州市不动产权第0078812号',
        '常州市自然资源和规划局',
        '2016-03-22',
        undefined,
        {
          certificateNumber: '苏（2016）常州市不动产权第0078812号',
          location: '常州市新北区河海西路300号1幢',
          buildingArea: 8650.4,
          use: 'industrial',
        },
      ),
      license('专利证书', 'ZL201910456789.3', '国家知识产权局', '2021-05-18'),
    ],
    earlierMaterials: [],
  },
];

/** Every item the seed writes (registry records, e-licenses, earlier-case files). */
export function sharedDataItems(): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  const holders = [
    ...SEEDED_PERSONS.map((p) => ({ id: p.idNumber, source: 'population' as const, holder: p })),
    ...SEEDED_ENTERPRISES.map((e) => ({ id: e.uscc, source: 'legalPerson' as const, holder: e })),
  ];
  for (const { id, source, holder } of holders) {
    items.push(registryRecordItem(source, id, holder.record));
    for (const l of holder.licenses) items.push(eLicenseItem(id, l));
    for (const m of holder.earlierMaterials) items.push(earlierMaterialItem(id, m));
  }
  return items;
}

/** Writes the synthetic shared data (idempotent: the same items are overwritten on every start). */
export async function seedSharedData(client: DynamoDBClient, tableName: string): Promise<number> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const items = sharedDataItems();
  for (let i = 0; i < items.length; i += 25) {
    let requests: unknown[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 5) throw new Error('could not seed the shared data: DynamoDB kept items unprocessed');
      const r = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }));
      requests = r.UnprocessedItems?.[tableName] ?? [];
    }
  }
  return items.length;
}
