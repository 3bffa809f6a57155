/**
 * The catalog model (一张清单): what a city publishes about its bundles, the services in them, the
 * departments that own them, the canonical form fields (data dictionary) and the standard material
 * types. A catalog is data: each city ships one JSON file (cities/<city>/catalog.json) that this
 * schema validates at build (tests, `cdk synth`) and again at start.
 *
 * Field and material ids are canonical across services, so merging a bundle's forms and material
 * lists (一表申请, 一套材料) is by meaning, not by label.
 */
import * as z from 'zod/mini';
import { fieldExampleProblem } from './field-values.ts';

const slug = z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by "-"'));
const camelId = z.string().check(z.regex(/^[a-z][A-Za-z0-9]*$/, 'camelCase identifier'));

export const DepartmentSchema = z.object({
  id: slug,
  name: z.string().check(z.minLength(1)),
});
export type Department = z.infer<typeof DepartmentSchema>;

/** Where an already-held value comes from (共享数据自动调用). */
export const PrefillSourceSchema = z.object({
  source: z.enum(['population', 'legalPerson', 'license']),
  /** The attribute of the shared-data record, e.g. "name", "address", "uscc". */
  attribute: z.string().check(z.minLength(1)),
  /** For source "license": which of the applicant's e-licenses holds the attribute (e.g. "不动产权证书"). */
  licenseType: z.optional(z.string().check(z.minLength(1))),
});

export const FieldTypeSchema = z.enum([
  'string',
  'text',
  'date',
  'integer',
  'number',
  'boolean',
  'enum',
  'idNumber',
  'uscc',
  'phone',
  'money',
]);
export type FieldType = z.infer<typeof FieldTypeSchema>;

/** A canonical form field of the city's data dictionary. */
export const FormFieldSchema = z.object({
  id: camelId,
  title: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  type: FieldTypeSchema,
  /** For type "enum": the allowed values (codes) and their labels. */
  options: z.optional(z.array(z.object({ value: z.string(), title: z.string() }))),
  minLength: z.optional(z.number().check(z.int(), z.nonnegative())),
  maxLength: z.optional(z.number().check(z.int(), z.positive())),
  pattern: z.optional(z.string()),
  minimum: z.optional(z.number()),
  maximum: z.optional(z.number()),
  /** Example values; the first one must be valid. */
  examples: z.array(z.unknown()).check(z.minLength(1)),
  prefill: z.optional(PrefillSourceSchema),
  /** Personal data is masked in responses and never logged. */
  personal: z._default(z.boolean(), false),
  /** What is uncertain about this entry (e.g. a local practice not found in a published guide). */
  note: z.optional(z.string().check(z.minLength(1))),
});
export type FormField = z.infer<typeof FormFieldSchema>;

/**
 * A form answer that makes a field or a material apply (shown and required only then), e.g. 委托代理
 * → 授权委托书: `{ field: 'applyingByAgent', equals: true }`. An array means any of its values.
 * The field must be one of the same service's unconditional fields.
 */
export const ConditionSchema = z.object({
  field: camelId,
  equals: z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(z.union([z.string(), z.number(), z.boolean()])).check(z.minLength(1)),
  ]),
});
export type Condition = z.infer<typeof ConditionSchema>;

/**
 * A party of which there may be several (each seller, each heir…): materials asked per party are
 * given once for each of them, as many as the form's `countField` says.
 */
export const PartySchema = z.object({
  id: slug,
  /** As the guide names one of them, e.g. "出卖人", "继承人". */
  title: z.string().check(z.minLength(1)),
  /** The integer form field that counts them (at least 1). */
  countField: camelId,
});
export type Party = z.infer<typeof PartySchema>;

/** How the guide says a merged material is asked: on a condition, once per party (API contract). */
export const MaterialAskSchema = z.object({
  when: z
    .optional(z.array(ConditionSchema))
    .check(z.describe('Asked only when one of these answers is given.')),
  perParty: z
    .optional(z.object({ party: slug, title: z.string(), countField: camelId, description: z.string() }))
    .check(z.describe('One for each party of this kind, as many as the form field countField says.')),
});

export const MaterialTypeSchema = z.object({
  id: slug,
  name: z.string().check(z.minLength(1)),
  holder: z.enum(['person', 'organisation', 'any']),
  /** The government already holds it: an e-license (电子证照) or a material from an earlier case. */
  sharedData: z.optional(
    z.object({
      source: z.enum(['eLicense', 'earlierCase']),
      licenseType: z.optional(z.string()),
      /**
       * The form field naming the license's holder when it is not the applicant (e.g. the deceased's
       * ID card: "deceasedIdNumber"). Absent: the applicant's own license, found by prefill.
       */
      holderField: z.optional(camelId),
    }),
  ),
  /** 容缺: may be accepted now and supplied later, by `deferralDays` working days. */
  deferrable: z._default(z.boolean(), false),
  deferralDays: z.optional(z.number().check(z.int(), z.positive())),
  /** Accepted MIME types; every material type accepts application/pdf. */
  accept: z.array(z.string().check(z.regex(/^[a-z]+\/[a-z0-9.+-]+$/))).check(z.minLength(1)),
  maxBytes: z.number().check(z.int(), z.positive(), z.lte(50 * 1024 * 1024)),
  description: z.optional(z.string()),
  note: z.optional(z.string().check(z.minLength(1))),
});
export type MaterialType = z.infer<typeof MaterialTypeSchema>;

export const DeliveryMethodSchema = z.enum(['electronic', 'pickup', 'courier']);
export type DeliveryMethod = z.infer<typeof DeliveryMethodSchema>;

export const ServiceFieldSchema = z.object({
  fieldId: camelId,
  required: z._default(z.boolean(), true),
  /** Shown and required only when this answer is given. */
  when: z.optional(ConditionSchema),
  note: z.optional(z.string().check(z.minLength(1))),
});

export const ServiceMaterialSchema = z.object({
  typeId: slug,
  required: z._default(z.boolean(), true),
  /** Asked only when this answer is given (e.g. 委托代理 → 授权委托书). */
  when: z.optional(ConditionSchema),
  /** One for each party of this kind (each seller, each heir…): a party id of the catalog. */
  perParty: z.optional(slug),
  note: z.optional(z.string().check(z.minLength(1))),
});

/**
 * 办结时限: the legal limit and the (shorter) limit the city commits to, in working days (工作日)
 * unless `unit` says calendar days (自然日, as some guides count, e.g. a 30-day reimbursement).
 */
export const TimeLimitSchema = z.object({
  legalDays: z.number().check(z.int(), z.nonnegative()),
  committedDays: z.number().check(z.int(), z.nonnegative()),
  unit: z._default(z.enum(['working', 'calendar']), 'working'),
  note: z.optional(z.string().check(z.minLength(1))),
});
export type TimeLimit = z.infer<typeof TimeLimitSchema>;

export const ServiceSchema = z.object({
  id: slug,
  name: z.string().check(z.minLength(1)),
  departmentId: slug,
  legalBasis: z._default(z.array(z.string().check(z.minLength(1))), []),
  conditions: z._default(z.array(z.string().check(z.minLength(1))), []),
  fields: z._default(z.array(ServiceFieldSchema), []),
  materials: z._default(z.array(ServiceMaterialSchema), []),
  timeLimit: TimeLimitSchema,
  fees: z._default(
    z.object({ amountYuan: z.number().check(z.nonnegative()), note: z.optional(z.string()) }),
    { amountYuan: 0 },
  ),
  result: z.object({
    kind: z.enum(['license', 'certificate', 'registration', 'notice', 'payment']),
    name: z.string().check(z.minLength(1)),
    /** The form fields whose values the result records (the data it produces for later cases). */
    data: z.optional(z.array(camelId)),
    /** The e-license type the result is kept as in the e-license library, when it is one. */
    licenseType: z.optional(z.string().check(z.minLength(1))),
    /**
     * Data the result creates (not given by the applicant): numbers assigned on approval, e.g. the
     * new enterprise's credit code. Keyed by a field id of the dictionary, so dependent services'
     * tasks, later forms and the licenses read them as that field.
     */
    produces: z.optional(
      z.array(
        z.object({
          fieldId: camelId,
          kind: z.enum(['uscc', 'serial']),
          prefix: z.optional(z.string().check(z.maxLength(8))),
        }),
      ),
    ),
  }),
  /** Needs an on-site inspection (现场核查): bundles with several such services inspect jointly (联合勘验). */
  inspection: z._default(z.boolean(), false),
  /** 告知承诺制: the applicant may sign a commitment instead of proving these conditions. */
  commitment: z._default(z.boolean(), false),
  delivery: z._default(z.array(DeliveryMethodSchema).check(z.minLength(1)), [
    'electronic',
    'pickup',
    'courier',
  ]),
  /** What is uncertain about this service's entry (a published guide not found, a local practice…). */
  note: z.optional(z.string().check(z.minLength(1))),
});
export type Service = z.infer<typeof ServiceSchema>;

export const ServiceRuleSchema = z.discriminatedUnion('kind', [
  /** 法律法规规定应当并行办理: choosing one means choosing all of them. */
  z.object({
    kind: z.literal('together'),
    services: z.array(slug).check(z.minLength(2)),
    reason: z.optional(z.string()),
  }),
  /** `service` can only be chosen with `requires` (the reverse need not hold). */
  z.object({ kind: z.literal('requires'), service: slug, requires: slug, reason: z.optional(z.string()) }),
  /** `before` must be decided before `after` is reviewed. */
  z.object({ kind: z.literal('order'), before: slug, after: slug, reason: z.optional(z.string()) }),
]);
export type ServiceRule = z.infer<typeof ServiceRuleSchema>;

export const BundleSchema = z.object({
  id: slug,
  name: z.string().check(z.minLength(1)),
  summary: z.optional(z.string()),
  audience: z.enum(['person', 'organisation']),
  /** 'standard' (省定标准) / 'local' (地方探索) / 'premium' (精品). */
  category: z._default(z.enum(['standard', 'local', 'premium']), 'standard'),
  /** 'full' = services, forms and materials detailed; 'outline' = services and departments only. */
  detail: z.enum(['full', 'outline']),
  /** An outline bundle is only allowed as an explicitly marked draft (not yet ready to deploy). */
  draft: z._default(z.boolean(), false),
  leadDepartmentId: slug,
  /** 配合部门: the cooperating departments as the published list names them. */
  departmentIds: z._default(z.array(slug), []),
  services: z.array(ServiceSchema).check(z.minLength(1)),
  rules: z._default(z.array(ServiceRuleSchema), []),
  /** Where the catalog entry comes from (document, appendix, item number). */
  source: z.optional(z.string()),
});
export type Bundle = z.infer<typeof BundleSchema>;

const CatalogShape = z.object({
  schemaVersion: z.literal(1),
  city: z.object({ id: slug, name: z.string().check(z.minLength(1)), region: z.optional(z.string()) }),
  /** The catalog's own version, e.g. "2022.1": stamped on every case created against it. */
  version: z.string().check(z.minLength(1)),
  departments: z.array(DepartmentSchema).check(z.minLength(1)),
  fields: z.array(FormFieldSchema),
  materials: z.array(MaterialTypeSchema),
  /** Kinds of party there may be several of (each seller, each heir…). */
  parties: z._default(z.array(PartySchema), []),
  bundles: z.array(BundleSchema).check(z.minLength(1)),
});

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** The whole catalog, with every cross-reference checked; all problems are reported at once. */
export const CatalogSchema = CatalogShape.check(
  z.superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    for (const [name, ids] of [
      ['departments', c.departments.map((d) => d.id)],
      ['fields', c.fields.map((f) => f.id)],
      ['materials', c.materials.map((m) => m.id)],
      ['parties', c.parties.map((p) => p.id)],
      ['bundles', c.bundles.map((b) => b.id)],
      ['services', c.bundles.flatMap((b) => b.services.map((s) => s.id))],
    ] as const) {
      for (const id of duplicates(ids)) issue([name], `duplicate ${name} id "${id}"`);
    }
    const departments = new Set(c.departments.map((d) => d.id));
    const fields = new Map(c.fields.map((f) => [f.id, f]));
    const materials = new Map(c.materials.map((m) => [m.id, m]));

    c.fields.forEach((f, i) => {
      if (f.type === 'enum' && !f.options?.length)
        issue(['fields', i, 'options'], `enum field "${f.id}" needs options`);
      const problem = fieldExampleProblem(f, f.examples[0]);
      if (problem) issue(['fields', i, 'examples', 0], `first example of "${f.id}" is invalid: ${problem}`);
    });
    c.fields.forEach((f, i) => {
      if (f.prefill?.source === 'license' && !f.prefill.licenseType)
        issue(
          ['fields', i, 'prefill', 'licenseType'],
          `"${f.id}" is prefilled from an e-license: name its licenseType`,
        );
    });
    const parties = new Map(c.parties.map((p) => [p.id, p]));
    c.parties.forEach((p, i) => {
      const count = fields.get(p.countField);
      if (count?.type !== 'integer' || (count.minimum ?? 0) < 1)
        issue(['parties', i, 'countField'], `"${p.countField}" is not an integer field with minimum 1`);
    });
    // One material type is asked per one kind of party wherever it is asked per party.
    const partyOf = new Map<string, string>();
    c.materials.forEach((m, i) => {
      const holder = m.sharedData?.holderField;
      if (holder !== undefined && !['idNumber', 'uscc'].includes(fields.get(holder)?.type ?? ''))
        issue(
          ['materials', i, 'sharedData', 'holderField'],
          `"${holder}" is not an ID number or credit code field`,
        );
      if (!m.accept.includes('application/pdf'))
        issue(['materials', i, 'accept'], `"${m.id}" must accept application/pdf`);
      if (m.deferrable && !m.deferralDays)
        issue(['materials', i, 'deferralDays'], `deferrable "${m.id}" needs deferralDays`);
    });
    c.bundles.forEach((b, bi) => {
      const at = (...p: (string | number)[]) => ['bundles', bi, ...p];
      if (!departments.has(b.leadDepartmentId))
        issue(at('leadDepartmentId'), `unknown department "${b.leadDepartmentId}"`);
      b.departmentIds.forEach((d, di) => {
        if (!departments.has(d)) issue(at('departmentIds', di), `unknown department "${d}"`);
      });
      const involved = new Set([b.leadDepartmentId, ...b.departmentIds]);
      const serviceIds = new Set(b.services.map((s) => s.id));
      b.services.forEach((s, si) => {
        if (!involved.has(s.departmentId))
          issue(
            at('services', si, 'departmentId'),
            `"${s.departmentId}" is neither lead nor cooperating department of "${b.id}"`,
          );
        if (s.timeLimit.committedDays > s.timeLimit.legalDays)
          issue(at('services', si, 'timeLimit'), 'committedDays exceeds legalDays');
        const own = new Map(s.fields.map((f) => [f.fieldId, f]));
        const conditionProblem = (w: Condition): string | undefined => {
          const ref = own.get(w.field);
          const field = fields.get(w.field);
          if (!ref || !field) return `condition names "${w.field}", which is not a field of "${s.id}"`;
          if (ref.when) return `condition field "${w.field}" is itself conditional`;
          const bad = (Array.isArray(w.equals) ? w.equals : [w.equals]).find(
            (v) => fieldExampleProblem(field, v) !== undefined,
          );
          return bad === undefined ? undefined : `${JSON.stringify(bad)} is not a valid "${w.field}"`;
        };
        s.fields.forEach((f, fi) => {
          if (!fields.has(f.fieldId)) issue(at('services', si, 'fields', fi), `unknown field "${f.fieldId}"`);
          const problem = f.when && conditionProblem(f.when);
          if (problem) issue(at('services', si, 'fields', fi, 'when'), problem);
        });
        s.materials.forEach((m, mi) => {
          if (!materials.has(m.typeId))
            issue(at('services', si, 'materials', mi), `unknown material type "${m.typeId}"`);
          const problem = m.when && conditionProblem(m.when);
          if (problem) issue(at('services', si, 'materials', mi, 'when'), problem);
          if (m.perParty === undefined) return;
          const party = parties.get(m.perParty);
          if (!party) issue(at('services', si, 'materials', mi, 'perParty'), `unknown party "${m.perParty}"`);
          else if (!own.get(party.countField) || own.get(party.countField)?.when)
            issue(
              at('services', si, 'materials', mi, 'perParty'),
              `"${s.id}" asks per ${party.id} but not for "${party.countField}" (unconditionally)`,
            );
          const earlier = partyOf.get(m.typeId);
          if (earlier !== undefined && earlier !== m.perParty)
            issue(
              at('services', si, 'materials', mi, 'perParty'),
              `"${m.typeId}" is asked per ${earlier} elsewhere, not per ${m.perParty}`,
            );
          partyOf.set(m.typeId, m.perParty);
        });
        s.result.produces?.forEach((p, pi) => {
          if (!fields.has(p.fieldId))
            issue(at('services', si, 'result', 'produces', pi), `unknown field "${p.fieldId}"`);
        });
        s.result.data?.forEach((id, di) => {
          if (!fields.has(id)) issue(at('services', si, 'result', 'data', di), `unknown field "${id}"`);
        });
      });
      b.rules.forEach((r, ri) => {
        const refs =
          r.kind === 'together'
            ? r.services
            : r.kind === 'requires'
              ? [r.service, r.requires]
              : [r.before, r.after];
        for (const id of refs)
          if (!serviceIds.has(id)) issue(at('rules', ri), `rule names unknown service "${id}"`);
      });
      if (b.detail === 'full' && b.services.some((s) => s.fields.length === 0 && s.materials.length === 0))
        issue(at('detail'), 'a fully detailed bundle needs fields or materials on every service');
      if (b.detail === 'outline' && !b.draft)
        issue(
          at('detail'),
          `"${b.id}" is only outlined: detail every service's form and materials, or mark the bundle "draft"`,
        );
    });
  }),
);
export type Catalog = z.infer<typeof CatalogShape>;
export type CatalogInput = z.input<typeof CatalogShape>;
