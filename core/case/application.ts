/**
 * 一次提交: the application a portal submits once, and its complete check (一次反馈). Structural
 * problems (zod) and domain problems (services, rules, form, materials, identifiers) are all
 * collected, so the applicant learns everything wrong in one answer.
 */
import * as z from 'zod/mini';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { applies, partyCount } from '../catalog/conditions.ts';
import { formProblems } from '../catalog/form.ts';
import { type MergedMaterial, mergeFields, mergeMaterials } from '../catalog/merge.ts';
import type { Bundle, Service } from '../catalog/schema.ts';
import { selectServices } from '../catalog/selection.ts';
import { problemsFromIssues } from '../shared/error-codes.ts';
import { type Problem, ValidationError } from '../shared/errors.ts';
import { ApplicantSchema, DeliverySchema } from './applicant.ts';
import type { CaseMaterial } from './model.ts';

export const MaterialRefSchema = /* @__PURE__ */ (() =>
  z.union([
    z.object({
      type: z.string().check(z.minLength(1), z.maxLength(100)),
      materialId: z.string().check(z.minLength(1), z.maxLength(100)),
    }),
    /** 容缺: a deferrable material promised for later. */
    z.object({ type: z.string().check(z.minLength(1), z.maxLength(100)), deferred: z.literal(true) }),
    /** Already on file (an e-license, or a material of an earlier case): the reference POST /v1/prefill gave. */
    z.object({
      type: z.string().check(z.minLength(1), z.maxLength(100)),
      reference: z.string().check(z.minLength(1), z.maxLength(100)),
    }),
  ]))();
export type MaterialRef = z.infer<typeof MaterialRefSchema>;

export const ApplicationSchema = /* @__PURE__ */ (() =>
  z.object({
    bundleId: z.string().check(z.minLength(1), z.maxLength(100)),
    /** Omitted: the whole bundle. */
    services: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.maxLength(50))),
    applicant: ApplicantSchema,
    // Omitted is empty, filled in here rather than published as a `default` (which generated clients
    // read as always present): optional in the document means optional to the portal.
    form: z.pipe(
      z.optional(z.record(z.string(), z.unknown())),
      z.transform((v) => v ?? {}),
    ),
    materials: z.pipe(
      z.optional(z.array(MaterialRefSchema).check(z.maxLength(100))),
      z.transform((v) => v ?? []),
    ),
    delivery: DeliverySchema,
    /** 通办: the place (places.json id) of the counter or portal where the application is made; default the city. */
    acceptedAt: z.optional(z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/), z.maxLength(50))),
    /** 告知承诺制: the services whose conditions the applicant commits to, instead of proving. */
    commitments: z.pipe(
      z.optional(
        z.array(z.object({ serviceId: z.string(), accepted: z.literal(true) })).check(z.maxLength(50)),
      ),
      z.transform((v) => v ?? []),
    ),
  }))();
export type Application = z.infer<typeof ApplicationSchema>;

/** What the material store says about a referenced material (looked up by the use case). */
export interface MaterialFacts {
  readonly materialId: string;
  readonly type: string;
  readonly bundleId: string;
  /**
   * verified = bytes present and match the declaration; the rest are reasons it cannot be used
   * (changed = it was verified, but the stored object no longer has the verified size or checksum).
   */
  readonly state: 'verified' | 'not_uploaded' | 'mismatch' | 'wrong_content' | 'changed';
  /** The case the material is part of, if any: a material belongs to one case only. */
  readonly caseId?: string | undefined;
  /** Its stored file, recorded on the case with it (CaseMaterialSchema `file`): never shown. */
  readonly file?: {
    readonly s3Key: string;
    readonly fileName: string;
    readonly contentType: string;
    readonly size: number;
  };
  /**
   * Judged verified just now and not yet recorded (asked for with `deferVerified`): the write that
   * attaches the material records the verdict with the case (one write, all or none).
   */
  readonly verdict?: PendingVerdict;
}

/** A verified verdict, as recorded (core/materials/material.ts VerdictChanges) — with the attachment or alone. */
export interface PendingVerdict {
  readonly status: 'verified';
  readonly verifiedAt: string;
  readonly etag?: string;
}

/** A material a case write attaches; with its verdict when that is recorded by the same write. */
export interface MaterialAttachment {
  readonly materialId: string;
  readonly verdict?: PendingVerdict;
}

/**
 * A case's entry for an uploaded material, with its stored file's facts when the lookup gave them
 * (submission and supplement record them, so a task view presigns the download without a read).
 */
export function withFile(
  entry: { readonly type: string; readonly materialId: string },
  fact: Pick<MaterialFacts, 'file'> | undefined,
): CaseMaterial {
  return fact?.file ? { ...entry, file: { ...fact.file } } : { ...entry };
}

/**
 * At most this many uploaded materials per case or supplement: they are attached in the same
 * DynamoDB transaction as the case change (100 items at most, a few taken by the case itself).
 */
export const MAX_ATTACHED_MATERIALS = 90;

/**
 * Why a cited material cannot be used, or undefined when it can: unknown (or another portal's, or
 * another bundle's), of another type, not uploaded, judged bad, changed since it was verified, or
 * already part of another case than `caseId`. Shared by the application and the supplement check.
 */
export function materialProblem(
  fact: MaterialFacts | undefined,
  ref: { readonly type: string; readonly materialId: string },
  at: string,
  bundleId: string,
  caseId: string | undefined,
): Problem | undefined {
  const { materialId, type } = ref;
  if (!fact || fact.bundleId !== bundleId)
    return {
      path: `${at}/materialId`,
      code: 'material_unknown',
      message: `There is no material "${materialId}" of yours.`,
    };
  if (fact.type !== type)
    return {
      path: `${at}/type`,
      code: 'material_wrong_type',
      message: `Material "${materialId}" was uploaded as "${fact.type}", not "${type}".`,
    };
  if (fact.state === 'not_uploaded')
    return {
      path: `${at}/materialId`,
      code: 'material_not_uploaded',
      message: `The bytes of material "${materialId}" have not been uploaded yet.`,
    };
  if (fact.state === 'changed')
    return {
      path: `${at}/materialId`,
      code: 'material_changed',
      message: `The stored bytes of "${materialId}" are no longer the ones verified (size or checksum changed); declare and upload the file again.`,
    };
  if (fact.state !== 'verified')
    return {
      path: `${at}/materialId`,
      code: 'material_unverified',
      message:
        fact.state === 'mismatch'
          ? `The uploaded bytes of "${materialId}" do not match the declared size and SHA-256.`
          : `The uploaded bytes of "${materialId}" are not of the declared content type.`,
    };
  if (fact.caseId !== undefined && fact.caseId !== caseId)
    return {
      path: `${at}/materialId`,
      code: 'material_in_use',
      message: `Material "${materialId}" is already part of another case; declare and upload the file again for this one.`,
    };
  return undefined;
}

export interface CheckedApplication {
  readonly application: Application;
  readonly bundle: Bundle;
  readonly services: readonly Service[];
  readonly materials: readonly MergedMaterial[];
  readonly deferred: readonly string[];
}

/**
 * The elements of a list checked one by one, at most: far above any list's maximum (50 services),
 * so a real application is checked whole, while an absurd one (60,000 names in 240 KB) costs no
 * more than this; the list's own `too_many` problem covers the rest.
 */
const MAX_CHECKED_ELEMENTS = 1000;

/**
 * Checks an application completely. `facts` holds what is known of every referenced material id
 * (an id missing from it is unknown, or another portal's). Throws one ValidationError with every
 * problem, or returns the parsed application with its services and merged material list.
 */
export function checkApplication(
  index: CatalogIndex,
  body: unknown,
  facts: ReadonlyMap<string, MaterialFacts>,
  /** Material type → references on file for this applicant (looked up only when the body cites any). */
  onFile: ReadonlyMap<string, readonly string[]> = new Map(),
  /** The id the case will have: a material already part of it (a retried submission) is not in use. */
  caseId?: string,
): CheckedApplication {
  const problems: Problem[] = [];
  const parsed = ApplicationSchema.safeParse(body);
  if (!parsed.success)
    // Our codes (core/shared/error-codes.ts): our refinements name theirs (invalid_idNumber,
    // invalid_uscc), zod's are mapped (a missing value is `required`).
    problems.push(...problemsFromIssues(parsed.error.issues, body));

  // Domain checks run on whatever parts are readable, even when the shape has problems elsewhere.
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const bundleId = typeof raw.bundleId === 'string' ? raw.bundleId : undefined;
  const bundle = bundleId ? index.bundles.get(bundleId) : undefined;
  if (bundleId && !bundle)
    problems.push({
      path: '/bundleId',
      code: 'unknown_bundle',
      message: `There is no bundle "${bundleId}" in this city's catalog.`,
    });

  let services: Service[] = [];
  if (bundle) {
    const chosen = Array.isArray(raw.services)
      ? raw.services.slice(0, MAX_CHECKED_ELEMENTS).filter((s): s is string => typeof s === 'string')
      : undefined;
    try {
      services = selectServices(bundle, chosen, '/services');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.problems);
      const known = new Set(chosen);
      services = bundle.services.filter((s) => known.has(s.id));
    }
  }

  const form =
    typeof raw.form === 'object' && raw.form !== null && !Array.isArray(raw.form)
      ? (raw.form as Record<string, unknown>)
      : {};
  if (bundle) problems.push(...formProblems(mergeFields(index, services), form, '/form'));

  const merged = mergeMaterials(index, services);
  const deferred: string[] = [];
  if (bundle) {
    const needed = new Map(merged.map((m) => [m.material.id, m]));
    // Per-party materials (each seller, each heir…) are given once per party the form counts.
    const copies = (m: MergedMaterial) => (m.perParty ? partyCount(m.perParty, form) : 1);
    const given = new Map<string, number>();
    let uploaded = 0;
    const refs = Array.isArray(raw.materials) ? raw.materials : [];
    refs.forEach((ref, i) => {
      if (typeof ref !== 'object' || ref === null) return;
      const {
        type,
        materialId,
        reference,
        deferred: isDeferred,
      } = ref as { type?: unknown; materialId?: unknown; reference?: unknown; deferred?: unknown };
      if (typeof type !== 'string') return;
      const at = `/materials/${i}`;
      const need = needed.get(type);
      if (!need) {
        problems.push({
          path: `${at}/type`,
          code: 'material_not_needed',
          message: `Material type "${type}" is not asked for by the chosen services.`,
        });
        return;
      }
      if ((given.get(type) ?? 0) >= copies(need)) {
        problems.push({
          path: `${at}/type`,
          code: 'duplicate_material',
          message: need.perParty
            ? `Material type "${type}" is given more often than the ${copies(need)} ${need.perParty.title} the form counts.`
            : `Material type "${type}" is given twice.`,
        });
        return;
      }
      given.set(type, (given.get(type) ?? 0) + (isDeferred === true ? copies(need) : 1));
      if (isDeferred === true) {
        if (!need.material.deferrable)
          problems.push({
            path: at,
            code: 'material_not_deferrable',
            message: `${need.material.name} (${type}) cannot be deferred (容缺 does not apply to it).`,
          });
        else deferred.push(type);
        return;
      }
      if (typeof reference === 'string') {
        if (!onFile.get(type)?.includes(reference))
          problems.push({
            path: `${at}/reference`,
            code: 'material_not_on_file',
            message: `"${reference}" is not a ${need.material.name} on file for this applicant (see POST /v1/prefill).`,
          });
        return;
      }
      if (typeof materialId !== 'string') return;
      uploaded++;
      const problem = materialProblem(facts.get(materialId), { type, materialId }, at, bundle.id, caseId);
      if (problem) problems.push(problem);
    });
    if (uploaded > MAX_ATTACHED_MATERIALS)
      problems.push({
        path: '/materials',
        code: 'too_many_materials',
        message: `A case has at most ${MAX_ATTACHED_MATERIALS} uploaded materials; this one cites ${uploaded}.`,
      });
    for (const m of merged) {
      // Materials the government already holds are fetched, not asked for (减证便民); a
      // conditional one only when the form's answers make it apply.
      const short = copies(m) - (given.get(m.material.id) ?? 0);
      if (m.required && !m.material.sharedData && applies(m.when, form) && short > 0)
        problems.push({
          path: '/materials',
          code: 'material_missing',
          // Which material and who asks for it, in every language (the message is English).
          params: {
            material: `${m.material.name}（${m.material.id}）`,
            services: m.services.join('、'),
            perParty: m.perParty ? `（每位${m.perParty.title}一份，还差 ${short} 份）` : '',
          },
          message: m.perParty
            ? `${m.material.name} (${m.material.id}) is required once for each ${m.perParty.title} by ${m.services.join(', ')}: ${short} more.`
            : `${m.material.name} (${m.material.id}) is required by ${m.services.join(', ')}.`,
        });
    }
  }

  const commitments = Array.isArray(raw.commitments) ? raw.commitments : [];
  commitments.forEach((c, i) => {
    const id = (c as { serviceId?: unknown } | null)?.serviceId;
    const svc = services.find((s) => s.id === id);
    if (typeof id === 'string' && !svc?.commitment)
      problems.push({
        path: `/commitments/${i}/serviceId`,
        code: 'commitment_not_allowed',
        message: `告知承诺 does not apply to "${id}" in this application.`,
      });
  });

  const delivery = (raw.delivery as { method?: unknown } | undefined)?.method;
  // Electronic delivery is always accepted (API contract); pickup and courier only where offered.
  if (delivery === 'pickup' || delivery === 'courier') {
    const refusing = services.filter((s) => !s.delivery.includes(delivery));
    if (refusing.length)
      problems.push({
        path: '/delivery/method',
        code: 'delivery_not_offered',
        message: `${delivery} delivery is not offered by ${refusing.map((s) => s.id).join(', ')}.`,
      });
  }

  if (problems.length || !parsed.success || !bundle) throw new ValidationError(dedupe(problems));
  return { application: parsed.data, bundle, services, materials: merged, deferred };
}

/**
 * Identical problems once. Keyed by path and code, messages compared only within a key: a long
 * message is never copied into a key (tens of thousands of problems cost milliseconds, not seconds).
 */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Map<string, string[]>();
  return problems.filter((p) => {
    const k = `${p.path}|${p.code}`;
    const messages = seen.get(k);
    if (!messages) {
      seen.set(k, [p.message]);
      return true;
    }
    if (messages.includes(p.message)) return false;
    messages.push(p.message);
    return true;
  });
}
