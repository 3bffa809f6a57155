/**
 * 共享数据自动调用: what the government already holds about an applicant — the population registry
 * (by resident ID number), the legal-person registry (by unified social credit code), the e-license
 * library and materials from earlier cases — fills the merged form and takes materials off the
 * checklist, so the applicant is not asked for it again.
 *
 * Primary course (prefillApplication):
 * 1. Check the request: bundle, chosen services against the bundle's rules, and the applicant's
 *    identifier (GB 11643 / GB 32100). Every problem is reported at once.
 * 2. Look the applicant up through the SharedDataPort (the adapter keys by hash only).
 * 3. Fill each merged field whose `prefill` source holds its attribute, if the value is valid for
 *    the field (a registry value the form would refuse is left for the applicant).
 * 4. List the materials already on file: the applicant's own valid e-licenses, and files from
 *    earlier cases. Everything not filled is `missing`.
 *
 * An unknown applicant is not an error: the answer is `found: false`, an empty form, nothing on file.
 */
import * as z from 'zod/mini';
import { type ApplicantIdentity, actingPersonOf } from '../identity/applicant.ts';
import { bindApplicant } from '../identity/binding.ts';
import type { Consent, PrivacyPort } from '../identity/privacy.ts';
import { problemsFromIssues } from '../shared/error-codes.ts';
import { type Problem, TooManyRequestsError, ValidationError } from '../shared/errors.ts';
import {
  ID_NUMBER_PATTERN,
  isValidIdNumber,
  isValidUscc,
  maskIdentifier,
  USCC_PATTERN,
} from '../shared/identifiers.ts';
import { chinaDate } from '../time/working-days.ts';
import type { CatalogIndex } from './catalog-index.ts';
import { fieldExampleProblem } from './field-values.ts';
import { type MergedField, type MergedMaterial, mergeFields, mergeMaterials } from './merge.ts';
import type { Bundle, Service } from './schema.ts';
import { selectServices } from './selection.ts';

export type PrefillApplicant =
  | { readonly kind: 'person'; readonly idNumber: string }
  | { readonly kind: 'organisation'; readonly uscc: string };

export type AttributeValue = string | number | boolean;
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** An e-license (电子证照) held by the applicant. */
export interface HeldLicense {
  /** Opaque id of the license in the e-license library: the reference a case can cite. */
  readonly licenseId: string;
  /** As the catalog names it (MaterialType.sharedData.licenseType), e.g. "不动产权证书". */
  readonly licenseType: string;
  readonly number: string;
  readonly issuer: string;
  /** YYYY-MM-DD. */
  readonly issuedAt: string;
  /** YYYY-MM-DD; absent means valid indefinitely (长期). */
  readonly validUntil?: string | undefined;
  /** The license's face (照面信息), named as the catalog's prefill attributes, e.g. "location". */
  readonly attributes: Attributes;
}

/** A material the applicant already submitted in an earlier case (已在以往办件中提交). */
export interface EarlierMaterial {
  readonly materialType: string;
  readonly reference: string;
  readonly submittedAt: string;
}

/** Everything the shared-data sources hold about one applicant. */
export interface SharedRecords {
  /** The population registry record of a person, the legal-person registry record of an organisation. */
  readonly registry?: { readonly source: 'population' | 'legalPerson'; readonly attributes: Attributes };
  readonly licenses: readonly HeldLicense[];
  readonly earlierMaterials: readonly EarlierMaterial[];
}

/** Implemented by adapters/dynamodb/shared-data.ts. */
export interface SharedDataPort {
  lookup(applicant: PrefillApplicant): Promise<SharedRecords>;
}

export interface MaterialOnFile {
  readonly type: string;
  readonly name: string;
  readonly source: 'eLicense' | 'earlierCase';
  readonly licenseType?: string;
  /** The e-license id or the earlier case's material reference: never a personal identifier. */
  readonly reference: string;
  readonly validUntil?: string;
}

export interface Prefill {
  readonly form: Record<string, AttributeValue>;
  readonly materials: MaterialOnFile[];
  /** Merged fields still to fill, in the form's order. */
  readonly missing: string[];
}

const isValidOn = (l: HeldLicense, today: string) =>
  l.issuedAt <= today && (l.validUntil === undefined || l.validUntil >= today);

/** A license's attributes as prefill sees them: its face plus its own facts (number, issuer…). */
const licenseAttributes = (l: HeldLicense): Attributes => ({
  ...l.attributes,
  number: l.number,
  issuer: l.issuer,
  issuedAt: l.issuedAt,
  ...(l.validUntil ? { validUntil: l.validUntil } : {}),
});

/**
 * The pure rule: merged fields and materials of the chosen services + what is held → the prefill.
 * `today` (YYYY-MM-DD, China time) decides which licenses are still valid.
 */
export function prefillFrom(
  fields: readonly MergedField[],
  materials: readonly MergedMaterial[],
  records: SharedRecords,
  today: string,
): Prefill {
  const licenses = records.licenses.filter((l) => isValidOn(l, today));
  const ofType = (type: string | undefined) => licenses.filter((l) => l.licenseType === type);

  const form: Record<string, AttributeValue> = {};
  const missing: string[] = [];
  for (const { field } of fields) {
    const p = field.prefill;
    let value: AttributeValue | undefined;
    if (p?.source === 'license') {
      // Two valid licenses of the type (two flats, say) leave the choice to the applicant.
      const [only, ...more] = ofType(p.licenseType);
      if (only && more.length === 0) value = licenseAttributes(only)[p.attribute];
    } else if (p && records.registry?.source === p.source) {
      value = records.registry.attributes[p.attribute];
    }
    if (value !== undefined && fieldExampleProblem(field, value) === undefined) form[field.id] = value;
    else missing.push(field.id);
  }

  const onFile: MaterialOnFile[] = [];
  for (const { material } of materials) {
    const shared = material.sharedData;
    if (shared?.source === 'eLicense' && shared.licenseType && !shared.holderField) {
      const held = ofType(shared.licenseType)[0];
      if (held)
        onFile.push({
          type: material.id,
          name: material.name,
          source: 'eLicense',
          licenseType: shared.licenseType,
          reference: held.licenseId,
          ...(held.validUntil ? { validUntil: held.validUntil } : {}),
        });
    } else if (shared?.source === 'earlierCase') {
      const earlier = records.earlierMaterials.find((m) => m.materialType === material.id);
      if (earlier)
        onFile.push({
          type: material.id,
          name: material.name,
          source: 'earlierCase',
          reference: earlier.reference,
        });
    }
  }
  return { form, materials: onFile, missing };
}

/** The shape of POST /v1/prefill; identifiers are checked separately so their problems say which standard. */
/** The applicant's consent to reuse held data (EU OOTS: only at their explicit request, after a preview). */
export const PrefillConsentSchema = /* @__PURE__ */ (() =>
  z.object({
    /** The merged-form fields the applicant agrees to have filled from held data. */
    fields: z
      .array(z.string().check(z.minLength(1), z.maxLength(100)))
      .check(z.minLength(1), z.maxLength(200)),
    /** Until when the consent holds (at most MAX_CONSENT_DAYS ahead). */
    expiresAt: z.string().check(z.refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO 8601 date-time')),
  }))();
export type PrefillConsent = z.infer<typeof PrefillConsentSchema>;
export const MAX_CONSENT_DAYS = 30;
/** Lookups one applicant may make per hour (a guessing oracle otherwise). */
export const PREFILL_LOOKUPS_PER_HOUR = 20;

export const PrefillRequestSchema = /* @__PURE__ */ (() =>
  z.object({
    bundleId: z.string().check(z.minLength(1), z.maxLength(100)),
    /**
     * Required of an applicant's portal (the route checks): the purpose is this request's bundle
     * and services; `fields` and `expiresAt` are what the applicant agreed to.
     */
    consent: z.optional(PrefillConsentSchema),
    /** Omitted: the whole bundle. */
    services: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.maxLength(50))),
    applicant: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('person'),
        idNumber: z
          .string()
          .check(
            z.meta({ pattern: ID_NUMBER_PATTERN, examples: ['320402199203154625'] }),
            z.describe('Resident ID number, checked with GB 11643; never echoed or logged.'),
          ),
      }),
      z.object({
        kind: z.literal('organisation'),
        uscc: z
          .string()
          .check(
            z.meta({ pattern: USCC_PATTERN, examples: ['91320402MA27QK3L8L'] }),
            z.describe('Unified social credit code, checked with GB 32100; never echoed or logged.'),
          ),
      }),
    ]),
  }))();

export interface PrefillRequest {
  readonly bundle: Bundle;
  readonly services: readonly Service[];
  readonly applicant: PrefillApplicant;
  readonly consent?: PrefillConsent;
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Checks a prefill request completely; one ValidationError lists every problem. Never echoes identifiers. */
export function checkPrefillRequest(index: CatalogIndex, body: unknown): PrefillRequest {
  const problems: Problem[] = [];
  const parsed = PrefillRequestSchema.safeParse(body);
  if (!parsed.success) problems.push(...problemsFromIssues(parsed.error.issues, body));

  // The identifier and the catalog checks run on whatever is readable, even if the shape is not.
  const raw = record(body);
  const applicant = record(raw.applicant);
  if (
    applicant.kind === 'person' &&
    typeof applicant.idNumber === 'string' &&
    !isValidIdNumber(applicant.idNumber)
  )
    problems.push({
      path: '/applicant/idNumber',
      code: 'invalid_idNumber',
      message:
        'Not a valid resident ID number (GB 11643: 17 digits with a real birth date, then the check character).',
    });
  if (applicant.kind === 'organisation' && typeof applicant.uscc === 'string' && !isValidUscc(applicant.uscc))
    problems.push({
      path: '/applicant/uscc',
      code: 'invalid_uscc',
      message:
        'Not a valid unified social credit code (GB 32100: 18 characters ending in the check character).',
    });

  const bundle = typeof raw.bundleId === 'string' ? index.bundles.get(raw.bundleId) : undefined;
  if (typeof raw.bundleId === 'string' && !bundle)
    problems.push({
      path: '/bundleId',
      code: 'unknown_bundle',
      message: `There is no bundle "${raw.bundleId.slice(0, 100)}" in this city's catalog.`,
    });
  let services: Service[] = [];
  // Malformed entries are the shape check's problem; the choice is checked once all are strings.
  const chosen = raw.services;
  const readable =
    chosen === undefined || (Array.isArray(chosen) && chosen.every((s) => typeof s === 'string'));
  if (bundle && readable) {
    try {
      services = selectServices(bundle, chosen as string[] | undefined);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length || !parsed.success || !bundle) throw new ValidationError(problems);
  return {
    bundle,
    services,
    applicant: parsed.data.applicant,
    ...(parsed.data.consent ? { consent: parsed.data.consent } : {}),
  };
}

/** The consent's problems: missing, expired or too long, or naming fields the form does not have. */
function consentProblems(
  consent: PrefillConsent | undefined,
  fields: readonly MergedField[],
  now: Date,
): Problem[] {
  if (!consent)
    return [
      {
        path: '/consent',
        code: 'consent_required',
        message:
          'Held data is reused only with the applicant’s consent: send consent { fields, expiresAt } for this bundle and these services.',
      },
    ];
  const problems: Problem[] = [];
  const expires = Date.parse(consent.expiresAt);
  if (expires <= now.getTime() || expires > now.getTime() + MAX_CONSENT_DAYS * 86_400_000)
    problems.push({
      path: '/consent/expiresAt',
      code: 'consent_expiry',
      message: `The consent must expire in the future, within ${MAX_CONSENT_DAYS} days.`,
    });
  const known = new Set(fields.map((f) => f.field.id));
  consent.fields.forEach((f, i) => {
    if (!known.has(f))
      problems.push({
        path: `/consent/fields/${i}`,
        code: 'unknown_field',
        message: `"${f.slice(0, 100)}" is not a field of this bundle’s form.`,
      });
  });
  return problems;
}

/** A resident ID number that is not `own`: another person's (a legal representative's, a spouse's…). */
const thirdPartyIdNumber = (value: AttributeValue, own: string) =>
  typeof value === 'string' && isValidIdNumber(value) && value.toUpperCase() !== own.toUpperCase();

export interface PreviewEntry {
  readonly field: string;
  readonly source: 'population' | 'legalPerson' | 'license';
  /** Held, but another person's identifier: withheld from the form, shown masked. */
  readonly withheld?: true;
  readonly masked?: string;
}

export interface PrefillAnswer extends Prefill {
  readonly bundleId: string;
  readonly services: string[];
  /** Whether any shared-data source knows the applicant. */
  readonly found: boolean;
  readonly preview?: PreviewEntry[];
  /** The consent recorded, as the applicant gave it (who and through which portal stay in the record). */
  readonly consent?: Pick<Consent, 'id' | 'purpose' | 'fields' | 'expiresAt' | 'recordedAt'>;
}

/** For an applicant's portal: who is signed in, through which portal, and where reads are recorded. */
export interface PrefillContext {
  readonly identity: ApplicantIdentity;
  readonly portalId: string;
  readonly privacy: PrivacyPort;
  readonly newId: () => string;
}

/** POST /v1/prefill: checks the request, looks the applicant up once, and prefills. */
export async function prefillApplication(
  deps: { readonly sharedData: SharedDataPort; readonly now: () => Date },
  index: CatalogIndex,
  body: unknown,
  /** The signed-in applicant: only they (or one they may act for) are looked up. */
  context?: PrefillContext,
): Promise<PrefillAnswer> {
  const { bundle, services, applicant, consent } = checkPrefillRequest(index, body);
  const fields = mergeFields(index, services);
  const now = deps.now();
  if (!context) return plainPrefill(deps, index, bundle, services, applicant, fields);

  // 1. The consent is well-formed (422), 2. the applicant asked about is the signed-in one (403),
  // 3. within the hourly lookups (429): only then is anything looked up — and recorded.
  const problems = consentProblems(consent, fields, now);
  if (problems.length || !consent) throw new ValidationError(problems);
  bindApplicant(context.identity, applicant, {
    purpose: { bundleId: bundle.id, serviceIds: services.map((s) => s.id) },
    authorisations: [],
    now,
  });
  const turn = await context.privacy.takeLookup(context.identity.subject, PREFILL_LOOKUPS_PER_HOUR, now);
  if (!turn.allowed)
    throw new TooManyRequestsError(
      `At most ${PREFILL_LOOKUPS_PER_HOUR} prefill lookups per applicant per hour.`,
      turn.retryAfterSeconds,
    );
  const recorded: Consent = {
    id: context.newId(),
    portalId: context.portalId,
    subject: context.identity.subject,
    purpose: { bundleId: bundle.id, services: services.map((s) => s.id) },
    fields: [...new Set(consent.fields)],
    expiresAt: new Date(Date.parse(consent.expiresAt)).toISOString(),
    recordedAt: now.toISOString(),
  };
  await context.privacy.recordConsent(applicant, recorded);
  // Recorded before the lookup: a read that fails half-way is still a read.
  await context.privacy.recordAccess(applicant, {
    at: now.toISOString(),
    actor: { kind: 'portal', id: context.portalId },
    purpose: `prefill:${bundle.id}`,
  });
  const records = await deps.sharedData.lookup(applicant);
  const found =
    Boolean(records.registry) || records.licenses.length > 0 || records.earlierMaterials.length > 0;
  const full = prefillFrom(fields, mergeMaterials(index, services), records, chinaDate(now));
  // Only the consented fields; never another person's identifier (shown masked in the preview).
  const consented = new Set(recorded.fields);
  const own = actingPersonOf(context.identity).idNumber;
  const sourceOf = new Map(fields.map((f) => [f.field.id, f.field.prefill?.source]));
  const form: Record<string, AttributeValue> = {};
  const preview: PreviewEntry[] = [];
  const missing = [...full.missing];
  for (const [field, value] of Object.entries(full.form)) {
    const source = (sourceOf.get(field) ?? 'population') as PreviewEntry['source'];
    if (!consented.has(field)) {
      missing.push(field);
      continue;
    }
    if (thirdPartyIdNumber(value, own)) {
      preview.push({ field, source, withheld: true, masked: maskIdentifier(String(value)) });
      missing.push(field);
      continue;
    }
    form[field] = value;
    preview.push({ field, source });
  }
  const order = new Map(fields.map((f, i) => [f.field.id, i]));
  missing.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return {
    bundleId: bundle.id,
    services: services.map((s) => s.id),
    found,
    form,
    materials: full.materials,
    missing,
    preview,
    consent: {
      id: recorded.id,
      purpose: recorded.purpose,
      fields: recorded.fields,
      expiresAt: recorded.expiresAt,
      recordedAt: recorded.recordedAt,
    },
  };
}

async function plainPrefill(
  deps: { readonly sharedData: SharedDataPort; readonly now: () => Date },
  index: CatalogIndex,
  bundle: Bundle,
  services: readonly Service[],
  applicant: PrefillApplicant,
  fields: readonly MergedField[],
): Promise<PrefillAnswer> {
  const records = await deps.sharedData.lookup(applicant);
  const found =
    Boolean(records.registry) || records.licenses.length > 0 || records.earlierMaterials.length > 0;
  const prefill = prefillFrom(fields, mergeMaterials(index, services), records, chinaDate(deps.now()));
  return { bundleId: bundle.id, services: services.map((s) => s.id), found, ...prefill };
}
