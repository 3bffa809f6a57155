/**
 * The one catalogue of error codes: every `code` the API answers — a problem's own (top level) and
 * each entry of its `errors` — is a key of ERROR_CODES, with a message template in each language
 * the API speaks (zh-CN by default, en on request: adapters/http/language.ts). The OpenAPI
 * document's Problem schema publishes the keys as an enum; a unit test (error-codes.test.ts) finds
 * every code the sources throw and checks it is here.
 *
 * Codes are ours and stable: zod's issue codes never reach a client. `problemsFromIssues` maps
 * them — a value that is absent is `required`, whatever the schema said about it:
 *
 * | zod issue                          | our code                                          |
 * |------------------------------------|---------------------------------------------------|
 * | any issue where no value was sent  | `required`                                        |
 * | invalid_type                       | `wrong_type` ({expected})                         |
 * | invalid_value, invalid_union, invalid_key, invalid_element | `invalid_value` ({allowed} when known) |
 * | too_small (string / array / number…) | `too_short` ({min}) / `too_few` ({min}) / `out_of_range` ({min}) |
 * | too_big (string / array / number…)   | `too_long` ({max}) / `too_many` ({max}) / `out_of_range` ({max}) |
 * | not_multiple_of                    | `out_of_range`                                    |
 * | invalid_format                     | `malformed` ({format})                            |
 * | unrecognized_keys                  | `unknown_field`, one per key, at the key's path   |
 * | custom                             | the refinement's `params.code` (one of ours), else `invalid_value` |
 *
 * Templates take `{name}` placeholders filled from a problem's params (`field` — the last segment
 * of its path — is always there); a placeholder without a value is left out.
 */
import type { Problem } from './errors.ts';

/** The languages of messages, titles and details; the first is the default. */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

interface Template {
  readonly 'zh-CN': string;
  readonly en: string;
}

const t = (zh: string, en: string): Template => ({ 'zh-CN': zh, en });

/** The kinds of form field (core/catalog/schema.ts FieldTypeSchema): a malformed value is `invalid_<type>`. */
const FIELD_TYPE_CODES = {
  invalid_string: t('{field} 不是有效的文本。', '{field} is not valid text.'),
  invalid_text: t('{field} 不是有效的文本。', '{field} is not valid text.'),
  invalid_date: t('{field} 不是有效的日期（YYYY-MM-DD）。', '{field} is not a valid date (YYYY-MM-DD).'),
  invalid_integer: t('{field} 须为整数。', '{field} must be an integer.'),
  invalid_number: t('{field} 须为数字。', '{field} must be a number.'),
  invalid_boolean: t('{field} 须为 true 或 false。', '{field} must be true or false.'),
  invalid_enum: t('{field} 不是可选的值之一。', '{field} is not one of the allowed values.'),
  invalid_idNumber: t(
    '{field} 不是有效的居民身份证号码（GB 11643）。',
    '{field} is not a valid resident ID number (GB 11643).',
  ),
  invalid_uscc: t(
    '{field} 不是有效的统一社会信用代码（GB 32100）。',
    '{field} is not a valid unified social credit code (GB 32100).',
  ),
  invalid_phone: t('{field} 不是有效的手机号码。', '{field} is not a valid mobile phone number.'),
  invalid_money: t('{field} 不是有效的金额。', '{field} is not a valid amount of money.'),
} as const satisfies Record<string, Template>;

export const ERROR_CODES = {
  // ── a problem's own code (top level): one per kind of answer ──
  validation_failed: t(
    '请求有 {count} 处问题，见 errors。',
    'The request has {count} problem(s): see errors.',
  ),
  bad_request: t('请求格式有误，无法理解。', 'The request is malformed.'),
  unprocessable: t('请求无法按所发内容处理。', 'The request cannot be processed as sent.'),
  unauthorized: t('缺少凭据或凭据无效。', 'Credentials are missing or invalid.'),
  forbidden: t('此调用方无权进行该操作。', 'This caller may not do this.'),
  not_found: t('未找到所请求的资源。', 'The resource was not found.'),
  method_not_allowed: t('该路径不支持此方法。', 'This method is not supported on this path.'),
  conflict: t('与资源的当前状态冲突。', 'This conflicts with the current state of the resource.'),
  too_many_requests: t('请求过于频繁，请稍后重试。', 'Too many requests; retry later.'),
  payload_too_large: t('请求体过大。', 'The request body is too large.'),
  unsupported_media_type: t('请以 application/json 发送请求体。', 'Send the body as application/json.'),
  unavailable: t('依赖的服务暂不可用，请稍后重试。', 'A dependency is unavailable; retry later.'),
  internal: t(
    '服务内部出错；报告问题时请提供请求编号 {instance}。',
    'Something went wrong on our side; quote request {instance} when reporting it.',
  ),
  idempotency_key_reused: t(
    '此 Idempotency-Key 已用于另一个不同的请求。',
    'This Idempotency-Key was already used with a different request.',
  ),
  idempotency_key_in_use: t(
    '使用此 Idempotency-Key 的请求仍在处理中，请稍后重试。',
    'A request with this Idempotency-Key is still being processed; retry shortly.',
  ),
  applicant_mismatch: t(
    '申请人与登录的申请人不一致，也不是其可代办的主体。',
    'The applicant is not the signed-in applicant, nor one they may act for.',
  ),
  applicant_token_refused: t('申请人的令牌被拒绝。', "The applicant's token is refused."),
  case_not_found: t('办件不存在。', 'The case does not exist.'),
  case_closed: t('办件已终结。', 'The case is closed.'),
  case_not_final: t('办件尚未办结。', 'The case is not final yet.'),
  materials_unavailable: t('有材料已被其他办件使用。', 'A material is already part of another case.'),
  license_conflict: t('证照与已有证照冲突。', 'The license conflicts with an existing one.'),
  not_a_counter: t(
    '本门户不是登记的窗口，不能代当面核验的申请人提交。',
    'This portal is not registered as a counter: it cannot submit for applicants verified in person.',
  ),
  helper_is_principal: t(
    '申请人本人办理无需授权。',
    'An applicant needs no authorisation to act for themself.',
  ),
  expires_before_start: t(
    '授权须在开始之后、于将来结束。',
    'The authorisation must end after it starts, in the future.',
  ),

  // ── an entry of `errors`: where in the request, and what ──
  required: t('缺少必填项 {field}。', '{field} is required.'),
  wrong_type: t(
    '{field} 的类型不对（应为 {expected}）。',
    '{field} has the wrong type (expected {expected}).',
  ),
  invalid_value: t('{field} 的值不在允许范围内 {allowed}。', '{field} is not an allowed value {allowed}.'),
  malformed: t('{field} 的格式不对（{format}）。', '{field} is malformed ({format}).'),
  too_short: t('{field} 太短（至少 {min} 个字符）。', '{field} is too short (at least {min} characters).'),
  too_long: t('{field} 太长（至多 {max} 个字符）。', '{field} is too long (at most {max} characters).'),
  too_few: t('{field} 的项数太少（至少 {min} 项）。', '{field} has too few items (at least {min}).'),
  too_many: t('{field} 的项数太多（至多 {max} 项）。', '{field} has too many items (at most {max}).'),
  out_of_range: t('{field} 超出允许的范围 {min} {max}。', '{field} is out of range {min} {max}.'),
  unknown_field: t('{field} 不是可接受的字段。', '{field} is not a field that is accepted here.'),
  invalid_cursor: t(
    '分页游标无效，请原样使用上一页的 nextCursor。',
    'The cursor is invalid: pass the nextCursor of the previous page unchanged.',
  ),
  ...FIELD_TYPE_CODES,
  // catalog and selection
  unknown_bundle: t('本市目录中没有该“一件事”。', "There is no such bundle in this city's catalog."),
  unknown_service: t('该“一件事”中没有此事项。', 'There is no such service in this bundle.'),
  duplicate_service: t('同一事项选择了两次。', 'A service is chosen twice.'),
  no_service: t('请至少选择一个事项。', 'Choose at least one service.'),
  services_must_go_together: t('这些事项须一并申请。', 'These services must be applied for together.'),
  service_requires_another: t(
    '该事项须与其前置事项一并申请。',
    'This service requires another one in the same application.',
  ),
  unknown_place: t('{field} 不是本市的办理地点。', '{field} is not a place of this city.'),
  delivery_not_offered: t(
    '所选事项不提供此种送达方式。',
    'The chosen services do not offer this delivery method.',
  ),
  commitment_not_allowed: t(
    '该事项在本申请中不适用告知承诺。',
    'A commitment (告知承诺) does not apply to this service here.',
  ),
  // materials
  unknown_material_type: t(
    '本市目录中没有此材料类型。',
    "There is no such material type in this city's catalog.",
  ),
  material_type_not_in_bundle: t(
    '该“一件事”的事项都不需要此材料。',
    'No service of this bundle asks for this material.',
  ),
  content_type_not_accepted: t(
    '此材料不接受该文件类型。',
    'This material does not accept this content type.',
  ),
  file_too_large: t('文件超过此材料允许的大小。', 'The file exceeds the size allowed for this material.'),
  file_name_is_path: t('文件名不能包含路径。', 'The file name must not be a path.'),
  file_name_has_control_characters: t(
    '文件名含有控制字符或方向控制字符。',
    'The file name contains control or direction-override characters.',
  ),
  material_missing: t(
    '缺少必需的材料：{material}，{services}需要{perParty}。',
    'A required material is missing: {material}, required by {services}.',
  ),
  material_unknown: t(
    '没有此材料（或它属于其他门户）。',
    'There is no such material (or it is another portal’s).',
  ),
  material_wrong_type: t('该材料的类型与所声明的不同。', 'The material is of another type than declared.'),
  material_not_uploaded: t('该材料尚未上传或未通过校验。', 'The material is not uploaded or did not verify.'),
  material_unverified: t('该材料尚未通过校验。', 'The material is not verified yet.'),
  material_changed: t('该材料校验后已被更改。', 'The material changed since it was verified.'),
  material_in_use: t('该材料已属于其他办件。', 'The material is already part of another case.'),
  material_not_needed: t('本办件不需要此材料。', 'This case does not need this material.'),
  material_not_on_file: t('没有该材料的存档。', 'This material is not on file for the applicant.'),
  material_not_deferrable: t(
    '该材料不适用容缺受理。',
    'This material cannot be deferred (容缺 does not apply).',
  ),
  duplicate_material: t('同一材料提交了两次。', 'The same material is given twice.'),
  too_many_materials: t('材料数量超过上限。', 'Too many materials.'),
  // supplements (补正)
  empty_supplement: t('请补充表单字段或材料。', 'Supply form values or materials.'),
  // prefill and consent
  consent_required: t(
    '需要申请人对这些字段的授权同意。',
    "The applicant's consent for these fields is required.",
  ),
  consent_expiry: t(
    '授权同意的有效期须在将来且不超过上限。',
    'The consent must expire in the future, within the limit.',
  ),
  // webhooks
  invalid_url: t('{field} 不是有效的绝对 URL。', '{field} is not a valid absolute URL.'),
  https_required: t('回调地址须使用 https。', 'The callback URL must use https.'),
  credentials_in_url: t('回调地址中不能含有用户名或密码。', 'The callback URL must not contain credentials.'),
  address_not_allowed: t(
    '回调地址指向不允许的网络地址。',
    'The callback URL points to an address that is not allowed.',
  ),
  host_unresolvable: t('回调地址的主机名无法解析。', 'The callback host does not resolve.'),
  too_many_webhooks: t('该门户的回调订阅已达上限。', 'This portal has the maximum number of webhooks.'),
  invalid_events: t(
    'events 须为不重复的任务事件列表。',
    'events must be a non-empty list of distinct task events.',
  ),
  // ratings (好差评), inquiries (咨询)
  department_not_involved: t('该部门未参与此办件。', 'This department did not work on the case.'),
  duplicate_department: t('同一部门评价了两次。', 'The same department is rated twice.'),
  bundle_mismatch: t('该办件不属于所填的“一件事”。', 'The case is of another bundle.'),
  subject_required: t(
    '请说明咨询所涉及的办件（caseId）或“一件事”（bundleId）。',
    'Say what the inquiry is about: a caseId or a bundleId.',
  ),
  // statistics (统计)
  invalid_range: t('起始日期晚于结束日期。', 'The period starts after it ends.'),
  range_too_long: t('统计区间过长。', 'The period is too long.'),
  unknown_department: t('没有这个部门。', 'There is no such department.'),
  unsupported_filter: t('这些筛选条件不能同时使用。', 'These filters do not combine.'),
} as const satisfies Record<string, Template>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code, in catalogue order: the enum of the OpenAPI Problem schema. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

export type MessageParams = Readonly<Record<string, string | number | undefined>>;

/** The message of `code` in `language`, its placeholders filled (`{x}` without a value is dropped). */
export function messageFor(code: string, language: Language, params: MessageParams = {}): string {
  const template = isErrorCode(code) ? ERROR_CODES[code][language] : ERROR_CODES.invalid_value[language];
  return template
    .replace(/\s*\{(\w+)\}/g, (whole, name: string) => {
      const v = params[name];
      if (v === undefined || v === '') return '';
      return whole.replace(`{${name}}`, String(v));
    })
    .replace(/\s+([。.，,）)])/g, '$1')
    .replace(/（）|\(\)/g, '');
}

/** The last segment of a JSON Pointer, unescaped: what a message calls the field. */
export function fieldOf(path: string): string {
  const last = path.split('/').pop() ?? '';
  return last.replace(/~1/g, '/').replace(/~0/g, '~') || 'body';
}

/** What zod reports, as far as the mapping needs it (zod v4 `$ZodIssue`). */
export interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** JSON Pointer (RFC 6901) of a path under `prefix`. */
export function pointer(path: readonly PropertyKey[], prefix = ''): string {
  return `${prefix}/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`.replace(
    /\/$/,
    '',
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key as string];
  }
  return v;
}

const SIZED = new Set(['string', 'array', 'set', 'file']);

function one(code: ErrorCode, path: string, params: MessageParams): Problem {
  const all = { field: fieldOf(path), ...params };
  return { path, code, message: messageFor(code, 'en', all), params: all };
}

/**
 * zod issues of `input` → our problems, one per issue (one per unknown key), each with a JSON
 * Pointer under `prefix`, a catalogued code, an English message (the edge renders the caller's
 * language from code and params) and its params.
 */
export function problemsFromIssues(issues: readonly Issue[], input: unknown, prefix = ''): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    // The fields of the issue's kind (keys, minimum, origin, values…) are read as they come.
    const i = issue as Issue & Readonly<Record<string, unknown>>;
    const path = pointer(i.path, prefix);
    if (i.code === 'unrecognized_keys')
      return ((i.keys as string[] | undefined) ?? []).map((k) =>
        one('unknown_field', pointer([...i.path, k], prefix), {}),
      );
    const own = i.code === 'custom' ? (i.params as { code?: unknown } | undefined)?.code : undefined;
    if (typeof own === 'string' && isErrorCode(own))
      return [{ path, code: own, message: i.message, params: { field: fieldOf(path) } }];
    if (valueAt(input, i.path) === undefined) return [one('required', path, {})];
    const origin = typeof i.origin === 'string' ? i.origin : '';
    const bound = (key: 'minimum' | 'maximum') =>
      typeof i[key] === 'number' || typeof i[key] === 'bigint' ? String(i[key]) : undefined;
    switch (i.code) {
      case 'invalid_type':
        return [one('wrong_type', path, { expected: String(i.expected ?? '') })];
      case 'too_small':
        return SIZED.has(origin)
          ? [one(origin === 'string' ? 'too_short' : 'too_few', path, { min: bound('minimum') })]
          : [one('out_of_range', path, { min: `≥ ${bound('minimum')}` })];
      case 'too_big':
        return SIZED.has(origin)
          ? [one(origin === 'string' ? 'too_long' : 'too_many', path, { max: bound('maximum') })]
          : [one('out_of_range', path, { max: `≤ ${bound('maximum')}` })];
      case 'not_multiple_of':
        return [one('out_of_range', path, {})];
      case 'invalid_format':
        return [one('malformed', path, { format: String(i.format ?? '') })];
      default: {
        // invalid_value, invalid_union, invalid_key, invalid_element, a custom refinement of zod's own.
        const options = (i.values ?? i.options) as unknown[] | undefined;
        return [
          one('invalid_value', path, {
            allowed:
              Array.isArray(options) && options.length ? `(${options.map(String).join(' | ')})` : undefined,
          }),
        ];
      }
    }
  });
}

/**
 * The language to answer in, from an Accept-Language header (RFC 9110 §12.5.4): the highest
 * q-value among ours wins (`zh`, `zh-CN`, `zh-Hans`… → zh-CN; `en`, `en-GB`… → en; `*` → the
 * default), a tie goes to the earlier range, q=0 excludes; nothing acceptable → the default.
 */
export function negotiateLanguage(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  let best: { language: Language; q: number } | undefined;
  const excluded = new Set<Language>();
  for (const part of header.split(',').slice(0, 50)) {
    const [range, ...params] = part.trim().split(';');
    const tag = (range ?? '').trim().toLowerCase();
    if (!tag) continue;
    const qParam = params.map((p) => p.trim()).find((p) => /^q=/i.test(p));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q < 0 || q > 1) continue;
    const language: Language | undefined =
      tag === '*'
        ? DEFAULT_LANGUAGE
        : tag === 'zh' || tag.startsWith('zh-')
          ? 'zh-CN'
          : tag === 'en' || tag.startsWith('en-')
            ? 'en'
            : undefined;
    if (!language) continue;
    if (q === 0) {
      if (tag !== '*') excluded.add(language);
      continue;
    }
    if (!best || q > best.q) best = { language, q };
  }
  if (best && !excluded.has(best.language)) return best.language;
  return LANGUAGES.find((l) => !excluded.has(l)) ?? DEFAULT_LANGUAGE;
}
