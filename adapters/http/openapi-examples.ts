/**
 * One realistic example for every schema and parameter of the OpenAPI document, generated from the
 * schemas themselves (adapters/http/openapi.ts): a schema's own `examples` first (zod
 * `.meta({ examples })`, as the Problem, the form fields, identifiers and timestamps carry), then
 * its `const`, its first `enum` value or its format; an object is its properties' examples, a list
 * one element; a plain string or number takes the demo data of 常州's catalog below by its property
 * name (a case of 企业开办 by 常州青果巷餐饮管理有限公司). The API lint (.spectral.yaml, Redocly)
 * checks that every example is valid against its schema.
 */
export type JsonSchema = Record<string, unknown>;

const AT = '2025-03-01T08:00:00.000Z';
const BASE = 'https://api.changzhou.example.cn/prod';

/** Demo values by property (or parameter) name, for schemas that give none themselves. */
const BY_NAME: Readonly<Record<string, unknown>> = {
  id: 'c-01JNB4Z6Q8Y2',
  caseId: 'c-01JNB4Z6Q8Y2',
  taskId: 't-01JNB4Z6Q8Y2-0-market-regulation',
  materialId: 'm-01JNB4XK3T7P',
  licenseId: 'l-01JNB5C2W9RA',
  webhookId: 'wh-01JNB3R8D2MF',
  inquiryId: 'q-01JNB6F4H1TZ',
  authorisationId: 'au-01JNB2M7V5KC',
  keyId: 'alias/yijianshi-changzhou-licenses',
  bundleId: 'enterprise-opening',
  bundleIds: 'enterprise-opening',
  bundleName: '企业开办',
  serviceId: 'enterprise-establishment-registration',
  serviceIds: 'enterprise-establishment-registration',
  services: 'enterprise-establishment-registration',
  service: 'enterprise-establishment-registration',
  requires: 'enterprise-establishment-registration',
  before: 'enterprise-establishment-registration',
  after: 'company-seal-filing',
  commitmentServices: 'enterprise-establishment-registration',
  'x-services': 'enterprise-establishment-registration',
  departmentId: 'market-regulation',
  departments: 'market-regulation',
  departmentName: '常州市市场监督管理局',
  organiser: 'market-regulation',
  portalId: 'portal-a',
  placeId: 'changzhou-jintan',
  acceptedAt: 'changzhou-jintan',
  decidedAt: 'changzhou',
  placeName: '金坛区',
  city: 'changzhou',
  region: '江苏省',
  province: '江苏省',
  district: '天宁区',
  line: '青果巷 58 号',
  postalCode: '213000',
  recipient: '刘洋',
  office: '常州市政务服务中心一楼综合窗口',
  catalogVersion: '2025.03.1',
  version: '1.0.0',
  name: '常州青果巷餐饮管理有限公司',
  contactName: '刘洋',
  officer: '王敏',
  title: '企业名称',
  summary: '开办企业一次申请办理设立登记、公章刻制、银行开户预约、发票申领、社保和公积金登记。',
  description: '营业执照副本复印件，加盖公章。',
  phone: '13812345678',
  idNumber: '320402199203154625',
  uscc: '91320402MA27QK3L8L',
  identifier: '9132**********3L8L',
  masked: '3204**********4625',
  fileName: 'articles-of-association.pdf',
  contentType: 'application/pdf',
  accept: 'application/pdf',
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  size: 48213,
  maxBytes: 10485760,
  type: 'business-license',
  typeId: 'business-license',
  materialType: 'articles-of-association',
  licenseType: '营业执照',
  reference: 'el-320400-2024-000183',
  field: 'enterpriseName',
  fieldId: 'enterpriseName',
  countField: 'sellerCount',
  party: 'seller',
  attribute: 'name',
  path: '/form/enterpriseName',
  message: '企业名称须与名称自主申报结果一致。',
  opinion: '材料齐全，予以受理',
  reason: '申请人撤回申请',
  comment: '窗口服务热情，一次办好。',
  text: '请问营业执照什么时候可以领取？',
  findings: '经营场所与申报一致。',
  note: '依申请人承诺办理。',
  event: 'submitted',
  action: 'submit',
  purpose: 'prefill:enterprise-opening',
  prefix: 'yjs_3kQ9',
  url: 'https://portal.example.cn/hooks/yijianshi',
  case: `${BASE}/v1/cases/c-01JNB4Z6Q8Y2`,
  downloadUrl: `https://files.changzhou.example.cn/licenses/l-01JNB5C2W9RA/document.html?X-Amz-Expires=300`,
  dataUrl: `https://files.changzhou.example.cn/licenses/l-01JNB5C2W9RA/data.json?X-Amz-Expires=300`,
  instance: 'req-6f1c2a9e',
  algorithm: 'ECDSA_SHA_256',
  legalBasis: '《中华人民共和国市场主体登记管理条例》',
  conditions: '申请人具有完全民事行为能力',
  missing: 'enterpriseName',
  fields: 'enterpriseName',
  required: 'enterpriseName',
  status: 'pending',
  nextCursor: 'eyJwayI6IkNBU0UjYy0wMUpOQjRaNlE4WTIifQ',
  cursor: 'eyJwayI6IkNBU0UjYy0wMUpOQjRaNlE4WTIifQ',
  limit: 20,
  round: 0,
  stage: 0,
  from: '2025-03-01',
  to: '2025-03-31',
  code: 'required',
  enterpriseName: '常州青果巷餐饮管理有限公司',
  data: 'uscc',
  openapi: '3.1.1',
  secret: 'whsec_YjKkbN8yd0P2SIh+Y2yvn7YG+qgdLirJufZZ4Jy68gs=',
  'Idempotency-Key': '5f0c1e2a-8b3d-4c6e-9a7f-1d2e3f4a5b6c',
  'webhook-id': 'e-01JNB5D8K2QW',
  'webhook-timestamp': '1740816000',
  'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
};

/** Strings tried, in order, for a patterned string nothing above fits. */
const FALLBACKS = [
  '5f0c1e2a-8b3d-4c6e-9a7f-1d2e3f4a5b6c',
  'enterprise-opening',
  'enterpriseName',
  '1740816000',
  'A1',
];

/** Demo values by `<object>.<property>`, where the property's name alone is ambiguous (`id`, `name`). */
const BY_PATH: Readonly<Record<string, unknown>> = {
  'services.id': 'enterprise-establishment-registration',
  'services.name': '企业设立登记',
  'criticalPath.name': '企业设立登记',
  'items.serviceId': 'enterprise-establishment-registration',
  'tasks.id': 't-01JNB4Z6Q8Y2-0-market-regulation',
  'overdue.id': 't-01JNB4Z6Q8Y2-0-market-regulation',
  'atRisk.id': 't-01JNB4Z6Q8Y2-0-market-regulation',
  'TaskView.id': 't-01JNB4Z6Q8Y2-0-market-regulation',
  'TaskDetail.id': 't-01JNB4Z6Q8Y2-0-market-regulation',
  'TaskDecided.id': 't-01JNB4Z6Q8Y2-0-market-regulation',
  'licenses.id': 'l-01JNB5C2W9RA',
  'licenses.name': '营业执照',
  'Verification.name': '营业执照',
  'Material.id': 'm-01JNB4XK3T7P',
  'MaterialCreated.id': 'm-01JNB4XK3T7P',
  'Webhook.id': 'wh-01JNB3R8D2MF',
  'WebhookCreated.id': 'wh-01JNB3R8D2MF',
  'bundle.id': 'enterprise-opening',
  'bundle.name': '企业开办',
  'BundleDetail.id': 'enterprise-opening',
  'BundleDetail.name': '企业开办',
  'leadDepartment.id': 'market-regulation',
  'leadDepartment.name': '常州市市场监督管理局',
  'department.id': 'market-regulation',
  'department.name': '常州市市场监督管理局',
  'departments.id': 'public-security',
  'departments.name': '常州市公安局',
  'issuer.id': 'market-regulation',
  'issuer.name': '常州市市场监督管理局',
  'city.id': 'changzhou',
  'city.name': '常州市',
  'applicant.name': '陈静',
  'case.id': 'c-01JNB4Z6Q8Y2',
  'refusal.opinion': '不属于本机关职权范围',
  'materials.name': '公司章程',
  'materials.type': 'articles-of-association',
  'notRequired.name': '营业执照',
  'steps.name': '受理',
  'steps.description': '牵头部门审查材料，符合条件的予以受理。',
  'results.name': '营业执照',
  'timeline.event': 'submitted',
  'actor.id': 'portal-a',
  'result.name': '营业执照',
  'Verification.licenseId': 'l-01JNB5C2W9RA',
};

/** Keys for an example of a map (`{ [key]: … }`), by the map's property name. */
const KEY_BY_NAME: Readonly<Record<string, string>> = {
  form: 'enterpriseName',
  properties: 'enterpriseName',
  results: 'enterprise-establishment-registration',
  data: 'uscc',
  headers: 'content-type',
  'x-enum-titles': 'limited',
  detail: 'taskId',
};

type Resolve = (ref: string) => JsonSchema | undefined;

/**
 * An example of `schema`: undefined only when nothing can be said (an empty schema). `name` is the
 * property or parameter the schema describes.
 */
export function exampleOf(schema: JsonSchema, resolve: Resolve, name?: string, depth = 0): unknown {
  if (depth > 12) return undefined;
  const examples = schema.examples;
  if (Array.isArray(examples) && examples.length) return examples[0];
  if ('example' in schema) return schema.example;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (typeof schema.$ref === 'string') {
    const target = resolve(schema.$ref);
    // A named object is its own context (`TaskView.id`); a named scalar keeps its property's name.
    const context = target?.type === 'object' ? schema.$ref.split('/').pop() : name;
    return target ? exampleOf(target, resolve, context, depth + 1) : undefined;
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches))
      for (const b of branches as JsonSchema[]) {
        const v = exampleOf(b, resolve, name, depth + 1);
        if (v !== undefined) return v;
      }
  }
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as JsonSchema[]).map((s) => exampleOf(s, resolve, name, depth + 1));
    if (parts.every((p) => p && typeof p === 'object' && !Array.isArray(p)))
      return Object.assign({}, ...parts);
    return parts.find((p) => p !== undefined);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return objectExample(schema, resolve, name, depth);
    case 'array': {
      const item = schema.items ? exampleOf(schema.items as JsonSchema, resolve, name, depth + 1) : undefined;
      if (item === undefined) return [];
      return Array.from({ length: Math.max(1, Number(schema.minItems ?? 1)) }, () => item);
    }
    case 'string':
      return stringExample(schema, name);
    case 'integer':
    case 'number': {
      const known = name === undefined ? undefined : BY_NAME[name];
      if (typeof known === 'number' && fits(schema, known)) return known;
      if (typeof schema.minimum === 'number')
        return Math.max(schema.minimum, Math.min(1, Number(schema.maximum ?? 1)));
      if (typeof schema.exclusiveMinimum === 'number') return schema.exclusiveMinimum + 1;
      return 1;
    }
    case 'boolean':
      return true;
    default:
      return schema.properties ? objectExample(schema, resolve, name, depth) : undefined;
  }
}

function objectExample(schema: JsonSchema, resolve: Resolve, name: string | undefined, depth: number) {
  const out: Record<string, unknown> = {};
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [key, property] of Object.entries(properties)) {
    // Optional properties deep inside are left out: the example stays readable.
    if (!required.has(key) && depth > 3) continue;
    const known = name === undefined ? undefined : BY_PATH[`${name}.${key}`];
    const value = known !== undefined ? known : exampleOf(property, resolve, key, depth + 1);
    if (value !== undefined) out[key] = value;
  }
  const extra = schema.additionalProperties;
  if (!Object.keys(properties).length && extra && typeof extra === 'object') {
    const key = KEY_BY_NAME[name ?? ''] ?? 'key';
    const value = exampleOf(extra as JsonSchema, resolve, key, depth + 1) ?? BY_NAME[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function stringExample(schema: JsonSchema, name: string | undefined): string {
  const known = name === undefined ? undefined : BY_NAME[name];
  if (typeof known === 'string' && fits(schema, known)) return known;
  switch (schema.format) {
    case 'date-time':
      return AT;
    case 'date':
      return AT.slice(0, 10);
    case 'uri':
    case 'url':
      return typeof known === 'string' ? known : `${BASE}/v1/cases/c-01JNB4Z6Q8Y2`;
    case 'email':
      return 'service@changzhou.example.cn';
    case 'uuid':
      return '0b9c2f5e-6a1d-4c1e-9f0a-2b7d3c4e5f60';
  }
  if (typeof known === 'string' && typeof schema.pattern !== 'string') return known;
  return FALLBACKS.find((v) => fits(schema, v)) ?? (typeof known === 'string' ? known : '示例');
}

/** Whether `value` meets the schema's own string and number bounds. */
function fits(schema: JsonSchema, value: string | number): boolean {
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !patternOf(schema.pattern).test(value)) return false;
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
    return true;
  }
  if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
  if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
  return true;
}

/** A JSON Schema pattern as ECMA-262 (unicode where it compiles so). */
function patternOf(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return new RegExp(pattern);
  }
}
