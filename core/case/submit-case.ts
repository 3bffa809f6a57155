/**
 * Use case: submit a case (一次提交).
 *  1. Look the portal's Idempotency-Key up (its keyed record names the case it created); a replay
 *     with the same body returns that case (and makes sure its flow runs), a different body is
 *     refused. A new case gets a random id (128 bits): nobody computes it from a key.
 *  2. Read the cited materials as they stand now (verified, unchanged, free or already this
 *     case's), then check the whole application at once (一次反馈): every problem in one
 *     ValidationError — a material already part of another case among them.
 *  3. Write case + first timeline entry + audit record + outbox event + the attachment of every
 *     material in ONE transaction, conditional on the id and the key's record being new (concurrent
 *     duplicates create exactly one case) and on each material still being free: a material taken by another case
 *     meanwhile cancels the whole write, and the answer is the same 422 — nothing was written, so
 *     the same Idempotency-Key can be used again with a corrected body.
 *  4. Start the flow, named by the case id (safe to retry: a replay starts it if it is missing).
 */
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { mergeMaterials } from '../catalog/merge.ts';
import { prefillFrom, type SharedDataPort } from '../catalog/prefill.ts';
import type { Bundle, Service } from '../catalog/schema.ts';
import { latestDeadline } from '../catalog/time-limit.ts';
import { ACCEPTANCE_DAYS, type AcceptanceStart, acceptingDepartment, secondsUntil } from '../flow/plan.ts';
import { criticalPath, prerequisites } from '../flow/stages.ts';
import type { ApplicantIdentity } from '../identity/applicant.ts';
import { type AuthorisationStore, authorisationsFor } from '../identity/authorisations.ts';
import { bindApplicant } from '../identity/binding.ts';
import { newCaseId } from '../identity/keyed-ids.ts';
import type { PlaceIndex } from '../places/places.ts';
import { DomainError, IdempotencyKeyReusedError, ValidationError } from '../shared/errors.ts';
import { addWorkingDays, chinaDate } from '../time/working-days.ts';
import { ApplicantSchema } from './applicant.ts';
import { checkApplication, withFile } from './application.ts';
import { INITIAL_STATUS } from './lifecycle.ts';
import { type CaseMaterial, type CaseRecord, requestHash } from './model.ts';
import { isApplicantsCase } from './ownership.ts';
import {
  type CaseRepository,
  type MaterialLookup,
  MaterialsUnavailableError,
  type Workflow,
} from './ports.ts';

/** Same Idempotency-Key, different body (IETF idempotency-key draft: 422): one class for every route. */
export { IdempotencyKeyReusedError };

/**
 * The references on file for the applicant, by material type — looked up in the shared data only
 * when the application cites one (most do not), so plain submissions pay no extra round trip.
 */
async function materialsOnFile(
  deps: SubmitDeps,
  index: CatalogIndex,
  body: unknown,
): Promise<Map<string, string[]>> {
  const b = (body ?? {}) as { bundleId?: unknown; materials?: unknown; applicant?: unknown };
  const cites =
    Array.isArray(b.materials) &&
    b.materials.some((m) => typeof (m as { reference?: unknown } | null)?.reference === 'string');
  const applicant = ApplicantSchema.safeParse(b.applicant);
  const bundle = typeof b.bundleId === 'string' ? index.bundles.get(b.bundleId) : undefined;
  if (!cites || !applicant.success || !bundle || !deps.sharedData) return new Map();
  const records = await deps.sharedData.lookup(
    applicant.data.kind === 'person'
      ? { kind: 'person', idNumber: applicant.data.idNumber }
      : { kind: 'organisation', uscc: applicant.data.uscc },
  );
  const { materials } = prefillFrom(
    [],
    mergeMaterials(index, bundle.services),
    records,
    chinaDate(deps.now()),
  );
  const out = new Map<string, string[]>();
  for (const m of materials) out.set(m.type, [...(out.get(m.type) ?? []), m.reference]);
  return out;
}

export interface SubmitDeps {
  /** Shared data (registries, e-licenses, earlier cases): to check cited materials on file. */
  readonly sharedData?: SharedDataPort;
  readonly cases: CaseRepository;
  readonly materials: MaterialLookup;
  readonly workflow: Workflow;
  /** 通办: the city's places, to check where the application was made (and who accepts it there). */
  readonly places?: PlaceIndex;
  now(): Date;
  /** Random case ids (core/identity/keyed-ids.ts `newCaseId`); replaceable in tests. */
  readonly newCaseId?: () => string;
  /** 帮办代办: the applicant's recorded authorisations, looked up when the signed-in one is not the applicant. */
  readonly authorisations?: Pick<AuthorisationStore, 'listForPrincipal'>;
}

export interface SubmitInput {
  readonly portalId: string;
  /**
   * The signed-in applicant (the token's identity): the application's applicant must be them, or
   * one they may act for; the case records who acted for whom.
   */
  readonly identity?: ApplicantIdentity;
  readonly idempotencyKey: string;
  readonly body: unknown;
  /**
   * A counter (窗口) portal's submission for an applicant its officer verified in person (no token):
   * the application's applicant is taken as verified, and the case records the officer.
   */
  readonly counter?: { readonly officer: string };
}

function materialIdsOf(body: unknown): string[] {
  const refs = (body as { materials?: unknown } | null)?.materials;
  if (!Array.isArray(refs)) return [];
  return refs
    .map((r) => (r as { materialId?: unknown } | null)?.materialId)
    .filter((id): id is string => typeof id === 'string')
    .slice(0, 100);
}

async function ensureFlow(deps: SubmitDeps, index: CatalogIndex, record: CaseRecord): Promise<void> {
  // The materials were attached with the case itself (one transaction): only the flow may be
  // missing. The execution is named by the case id, so starting it again is harmless and nothing
  // records it; a case past `submitted` was moved by its execution, which therefore exists.
  if (record.status !== 'submitted') return;
  const now = deps.now();
  const due = addWorkingDays(now, ACCEPTANCE_DAYS);
  // The acceptance's deadline is computed once, here: the wait's timeout and the task's due date.
  // Its department and services go with it: the acceptance opens without reading the case.
  const acceptance: AcceptanceStart = {
    departmentId: acceptingDepartment(record, index.bundle(record.bundleId), deps.places),
    services: [...record.services],
    dueAt: due.toISOString(),
  };
  await deps.workflow.start(record.caseId, {
    caseId: record.caseId,
    round: 0,
    timeoutSeconds: secondsUntil(due, now),
    acceptance,
  });
}

export async function submitCase(
  deps: SubmitDeps,
  index: CatalogIndex,
  input: SubmitInput,
): Promise<{ record: CaseRecord; created: boolean }> {
  const hash = requestHash(input.body);
  const replay = async (existing: CaseRecord) => {
    // Another applicant of the portal replaying a key: not their case, whatever the body.
    if (existing.requestHash !== hash || (input.identity && !isApplicantsCase(existing, input.identity)))
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was already used with a different request body.',
      );
    await ensureFlow(deps, index, existing);
    return { record: existing, created: false };
  };

  // The key's record names the case it created: ids are random, never computed from the key.
  const createdFor = async () => {
    const id = await deps.cases.caseIdForIdempotencyKey(input.portalId, input.idempotencyKey);
    return id ? deps.cases.get(id) : undefined;
  };
  // Optimistic: a first submission (nearly every one) reads no key record. A replay is told by
  // its own outcome: its case's write finds the key taken (submitNew answers as that case did), or
  // its check refuses it first — its materials are that case's by now (material_in_use), or its
  // applicant binding fails for another applicant — and the key's record, read only then, names
  // the case to answer with (or the key reused with another body: 409).
  try {
    return await submitNew(deps, index, input, hash);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const winner = await createdFor();
    if (winner) return replay(winner);
    throw err;
  }
}

async function submitNew(
  deps: SubmitDeps,
  index: CatalogIndex,
  input: SubmitInput,
  hash: string,
): Promise<{ record: CaseRecord; created: boolean }> {
  const replay = async (existing: CaseRecord) => {
    if (existing.requestHash !== hash || (input.identity && !isApplicantsCase(existing, input.identity)))
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was already used with a different request body.',
      );
    await ensureFlow(deps, index, existing);
    return { record: existing, created: false };
  };
  const caseId = (deps.newCaseId ?? newCaseId)();

  const materialIds = materialIdsOf(input.body);
  // A material judged verified now is recorded so by the case's own write (attaching it).
  const facts = await deps.materials.facts(input.portalId, materialIds, { deferVerified: true });
  const onFile = await materialsOnFile(deps, index, input.body);
  // 通办: the accepting place must be one of the city's (listed with every other problem, 一次反馈).
  const acceptedAt = (input.body as { acceptedAt?: unknown } | null)?.acceptedAt;
  const placeProblems =
    deps.places && typeof acceptedAt === 'string' && !deps.places.place(acceptedAt)
      ? [
          {
            path: '/acceptedAt',
            code: 'unknown_place',
            message: `"${acceptedAt}" is not a place of this city.`,
          },
        ]
      : [];
  let checked: ReturnType<typeof checkApplication>;
  try {
    checked = checkApplication(index, input.body, facts, onFile, caseId);
  } catch (err) {
    if (err instanceof ValidationError && placeProblems.length)
      throw new ValidationError([...err.problems, ...placeProblems]);
    throw err;
  }
  if (placeProblems.length) throw new ValidationError(placeProblems);
  const { application, bundle, services, materials, deferred } = checked;

  const now = deps.now();
  // Only once the application is well-formed (every problem of it comes first, in one 422).
  const acting = input.identity
    ? bindApplicant(input.identity, application.applicant, {
        purpose: { bundleId: bundle.id, serviceIds: services.map((s) => s.id) },
        authorisations: deps.authorisations
          ? await authorisationsFor(deps.authorisations, input.identity, application.applicant)
          : [],
        now,
      })
    : undefined;
  // A material asked once per party (each seller, each heir…) may be given several times.
  const given = new Map<string, string[]>();
  for (const m of application.materials)
    if ('materialId' in m) given.set(m.type, [...(given.get(m.type) ?? []), m.materialId]);
  const cited = new Map(
    application.materials.flatMap((m) => ('reference' in m ? [[m.type, m.reference] as const] : [])),
  );
  const caseMaterials: CaseMaterial[] = materials.flatMap((m): CaseMaterial[] => {
    const type = m.material.id;
    // With its file's facts: a department's task view presigns the download without a read.
    if (given.has(type))
      return given.get(type)!.map((materialId) => withFile({ type, materialId }, facts.get(materialId)));
    if (cited.has(type)) return [{ type, sharedData: true, reference: cited.get(type)! }];
    if (deferred.includes(type))
      return [{ type, deferredUntil: addWorkingDays(now, m.material.deferralDays ?? 5).toISOString() }];
    if (m.material.sharedData) return [{ type, sharedData: true }];
    return [];
  });
  const at = now.toISOString();
  const record: CaseRecord = {
    caseId,
    portalId: input.portalId,
    bundleId: bundle.id,
    services: services.map((s) => s.id),
    catalogVersion: index.catalog.version,
    status: INITIAL_STATUS,
    applicant: application.applicant,
    form: application.form,
    materials: caseMaterials,
    delivery: application.delivery,
    commitments: application.commitments.map((c) => c.serviceId),
    requestHash: hash,
    createdAt: at,
    updatedAt: at,
    dueAt: caseDeadline(now, bundle, services).toISOString(),
    correctionRound: 0,
    ...(application.acceptedAt ? { places: { acceptedAt: application.acceptedAt } } : {}),
    version: 1,
    ...(input.identity && acting
      ? {
          acting: {
            subject: input.identity.subject,
            kind: input.identity.kind,
            basis: acting.basis,
            ...(acting.authorisationId ? { authorisationId: acting.authorisationId } : {}),
            assurance: input.identity.assurance,
          },
        }
      : input.counter
        ? {
            acting: {
              subject: `counter:${input.portalId}:${input.counter.officer}`,
              kind: application.applicant.kind,
              basis: 'self' as const,
              assurance: 3,
              verifiedBy: { kind: 'counter' as const, officer: input.counter.officer },
            },
          }
        : {}),
  };
  let created: boolean;
  try {
    created = await deps.cases.create(
      record,
      { at, event: 'submitted', detail: { services: record.services, deferred } },
      {
        actor: `portal:${input.portalId}`,
        action: 'submit',
        detail: {
          bundleId: bundle.id,
          // Who acted for whom: the token's subject (a pseudonym), on what grounds.
          ...(record.acting
            ? { actingSubject: record.acting.subject, actingBasis: record.acting.basis }
            : {}),
          ...(record.acting?.authorisationId ? { authorisationId: record.acting.authorisationId } : {}),
          ...(record.acting?.verifiedBy
            ? { verifiedBy: 'counter', officer: record.acting.verifiedBy.officer }
            : {}),
        },
      },
      [...given.values()].flat().map((materialId) => {
        const verdict = facts.get(materialId)?.verdict;
        return verdict ? { materialId, verdict } : { materialId };
      }),
      input.idempotencyKey,
    );
  } catch (err) {
    if (!(err instanceof MaterialsUnavailableError)) throw err;
    // A material changed between the check and the write (attached to another case meanwhile,
    // expired): nothing was written. The check, run again on the materials as they are now,
    // names every problem; should it find none, the refused materials are named as in use.
    const current = await deps.materials.facts(input.portalId, materialIds);
    checkApplication(index, input.body, current, onFile, caseId);
    throw new ValidationError(
      application.materials.flatMap((m, i) =>
        'materialId' in m && err.materialIds.includes(m.materialId)
          ? [
              {
                path: `/materials/${i}/materialId`,
                code: 'material_in_use',
                message: `Material "${m.materialId}" was just attached to another case; declare and upload the file again for this one.`,
              },
            ]
          : [],
      ),
    );
  }
  if (!created) {
    // A concurrent duplicate won the race: answer as it did.
    const winnerId = await deps.cases.caseIdForIdempotencyKey(input.portalId, input.idempotencyKey);
    const winner = winnerId ? await deps.cases.get(winnerId) : undefined;
    if (!winner) throw new Error(`case ${caseId} was reported as existing but cannot be read`);
    return replay(winner);
  }
  await ensureFlow(deps, index, record);
  return { record, created: true };
}

/**
 * The bundle's deadline for the chosen services: staged review takes the longest chain of
 * prerequisites (its working days in sequence), and never less than the slowest single service's
 * own committed limit (calendar-day limits counted as the calendar says).
 */
export function caseDeadline(now: Date, bundle: Bundle, services: readonly Service[]): Date {
  const chosen = services.map((s) => s.id);
  const path = criticalPath(services, prerequisites(bundle, chosen));
  const single = latestDeadline(
    now,
    services.map((s) => s.timeLimit),
  );
  return new Date(Math.max(addWorkingDays(now, path.days).getTime(), single.getTime()));
}
