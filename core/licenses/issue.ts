/**
 * Issue the e-licenses of a case's approved services, together (一窗出件).
 *
 * 1. Load the case; a missing case is CaseNotFoundError (the state machine catches it by name).
 * 2. Resolve every approved service in the case's bundle, with its result and issuing department;
 *    the result carries the data the case's results produced — its own (a license number) and its
 *    approved prerequisites' (the new enterprise's credit code on the 公章刻制备案).
 * 3. Skip the services whose license is already recorded: this is a retry after a partial failure.
 * 4. For each remaining service, at one issue time: draw a random license id and verification code,
 *    build its document (the code printed on it, its data embedded) and store it — each on its own,
 *    so one that fails does not stop the others.
 * 5. Sign ONCE, over the manifest of every license whose document was stored in this attempt
 *    (manifest.ts; one KMS Sign per attempt, not per license), and record each of them — with the
 *    manifest, the one signature and the code's keyed digest only — in one write. The record comes
 *    last — it is the commit point, conditional on case + service, so a failure at any step
 *    (a document, the signature, the write) leaves nothing that looks issued, and the retry redoes the
 *    licenses not recorded from scratch under new ids, in a manifest of its own: only what it
 *    builds. A license recorded earlier keeps its manifest and signature; a manifest may list
 *    licenses never recorded (its attempt failed or lost a race after signing) — harmless: their
 *    entries are digests under ids nobody learns, and each recorded license still verifies alone.
 *    Then the first failure, if any, is thrown, for the state machine to retry.
 * 6. If another attempt recorded the service's license first (a lost race), that one stands: its
 *    document is under its own id, which this attempt never wrote to; this attempt's are under
 *    an id nobody learns.
 * 7. Return every approved service's license id. The case status is not touched: the flow's next
 *    step moves the case to `issued`.
 */
import type { CaseRecord } from '../case/model.ts';
import type { CaseRepository } from '../case/ports.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { prerequisites, prerequisitesOf } from '../flow/stages.ts';
import {
  type IdentifierKeyer,
  newLicenseId,
  newVerificationCode,
  verificationCodeDigestWith,
} from '../identity/keyed-ids.ts';
import { DomainError } from '../shared/errors.ts';
import { buildLicense, type LicenseService, type ResultDatum } from './document.ts';
import { manifestMessage, manifestOf } from './manifest.ts';
import type { IssuedLicense, LicenseFiles, LicenseSigner, LicenseStore } from './ports.ts';

export class CaseNotFoundError extends DomainError {
  readonly code = 'case_not_found';
}

/** An approved service that the case did not choose, or that its bundle no longer has. */
export class UnknownServiceError extends DomainError {
  readonly code = 'unknown_service';
}

export interface IssueLicensesDeps {
  readonly cases: Pick<CaseRepository, 'get'>;
  readonly catalog: CatalogIndex;
  readonly files: LicenseFiles;
  readonly store: LicenseStore;
  /** The case and the licenses already recorded for it, in one read (else `cases.get` + `store.listForCase`). */
  readonly caseWithLicenses?: (
    caseId: string,
  ) => Promise<{ record: CaseRecord | undefined; licenses: readonly IssuedLicense[] }>;
  readonly signer: LicenseSigner;
  /** The city's keyer: the verification code is stored only as its keyed digest. */
  readonly keyer: IdentifierKeyer;
  readonly now: () => Date;
  /** Random by default (tests may fix them). */
  readonly newLicenseId?: () => string;
  readonly newVerificationCode?: () => string;
}

export interface IssueLicensesInput {
  readonly caseId: string;
  readonly approved: readonly string[];
}

export interface IssueLicensesResult {
  readonly licenses: { readonly id: string; readonly serviceId: string }[];
  /** The case as read for the issue (issuing does not change it): the delivery step goes on from it. */
  readonly record: CaseRecord;
}

export async function issueLicenses(
  deps: IssueLicensesDeps,
  input: IssueLicensesInput,
): Promise<IssueLicensesResult> {
  return recordLicenses(deps, await prepareLicenses(deps, input));
}

/**
 * Steps 1–5 short of the record: the licenses built, stored and signed, to be recorded by the
 * caller — with the case's delivery, in one write (core/flow/issue-and-deliver.ts), or by
 * `recordLicenses`. `failure` is the first document that could not be stored (the others are in
 * `unrecorded`, to record before it is thrown).
 */
export interface PreparedLicenses {
  readonly record: CaseRecord;
  readonly approved: readonly string[];
  /** Licenses recorded earlier (a retry), by service. */
  readonly recorded: ReadonlyMap<string, string>;
  /** Built, stored and signed by this attempt; not recorded yet. */
  readonly unrecorded: readonly IssuedLicense[];
  readonly failure?: { readonly reason: unknown };
}

export async function prepareLicenses(
  deps: IssueLicensesDeps,
  input: IssueLicensesInput,
  /** The case and its licenses as the caller has just read them (consistently): not read again. */
  given?: { readonly record: CaseRecord; readonly licenses: readonly IssuedLicense[] },
): Promise<PreparedLicenses> {
  const read =
    given ??
    (deps.caseWithLicenses
      ? await deps.caseWithLicenses(input.caseId)
      : { record: await deps.cases.get(input.caseId), licenses: undefined });
  const record = read.record;
  if (!record) throw new CaseNotFoundError(`There is no case "${input.caseId}".`);

  const approved = [...new Set(input.approved)];
  const services = approved.map((id) => resolveService(deps.catalog, record, id, approved));

  const recorded = new Map(
    (read.licenses ?? (await deps.store.listForCase(record.caseId))).map(
      (l) => [l.serviceId, l.licenseId] as const,
    ),
  );
  const issuedAt = deps.now().toISOString();
  const pending = services.filter((s) => !recorded.has(s.serviceId));

  // Every license's document is stored even when one fails; then the licenses that got that far are
  // signed together and recorded in one write — so a retry has as little left to do as possible.
  const settled = await Promise.allSettled(pending.map((s) => buildOne(deps, record, s, issuedAt)));
  const built = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return {
    record,
    approved,
    recorded,
    unrecorded: await signTogether(deps.signer, built),
    ...(failed ? { failure: { reason: failed.reason } } : {}),
  };
}

/**
 * Every approved service's license id: the one recorded before this attempt, else the one in
 * `licenses` (this attempt's services are those with none recorded before).
 */
function licenseIds(
  prepared: PreparedLicenses,
  licenses: readonly Pick<IssuedLicense, 'serviceId' | 'licenseId'>[],
): IssueLicensesResult['licenses'] {
  const ids = new Map(prepared.recorded);
  for (const l of licenses) ids.set(l.serviceId, l.licenseId);
  return prepared.approved.map((serviceId) => ({ id: ids.get(serviceId)!, serviceId }));
}

/** Every approved service's license id, as they will be once this attempt's are recorded. */
export const licensesOf = (prepared: PreparedLicenses) => licenseIds(prepared, prepared.unrecorded);

/**
 * Steps 5–7: the prepared licenses recorded in one write (a service whose license another attempt
 * recorded first keeps that one), then the first failure thrown, if any.
 */
export async function recordLicenses(
  deps: Pick<IssueLicensesDeps, 'store'>,
  prepared: PreparedLicenses,
): Promise<IssueLicensesResult> {
  const answers = await deps.store.putAll(prepared.unrecorded);
  if (prepared.failure) throw prepared.failure.reason;
  // What the store holds for each service wins: a license another attempt recorded first stands.
  const stored = answers.map((a) => a.stored);
  return { record: prepared.record, licenses: licenseIds(prepared, stored) };
}

function resolveService(
  catalog: CatalogIndex,
  record: CaseRecord,
  serviceId: string,
  approved: readonly string[],
): LicenseService {
  const bundle = catalog.bundles.get(record.bundleId);
  const service = bundle?.services.find((s) => s.id === serviceId);
  if (!bundle || !service || !record.services.includes(serviceId))
    throw new UnknownServiceError(`Service "${serviceId}" is not one of case ${record.caseId}'s services.`);
  // A prerequisite's new identity (the enterprise's credit code) goes on the dependants' licenses;
  // its own numbers (the business license number) stay on its own.
  const values = new Map<string, string>();
  for (const id of prerequisitesOf(prerequisites(bundle, record.services), serviceId))
    for (const p of bundle.services.find((s) => s.id === id)?.result.produces ?? [])
      if (p.kind === 'uscc' && approved.includes(id) && record.results?.[id]?.[p.fieldId])
        values.set(p.fieldId, record.results[id][p.fieldId]!);
  for (const [field, value] of Object.entries(record.results?.[serviceId] ?? {})) values.set(field, value);
  const data: ResultDatum[] = [...values].map(([field, value]) => ({
    field,
    title: catalog.fields.get(field)?.title ?? field,
    value,
  }));
  return {
    serviceId,
    serviceName: service.name,
    result: { kind: service.result.kind, name: service.result.name, ...(data.length ? { data } : {}) },
    department: {
      id: service.departmentId,
      name: catalog.departments.get(service.departmentId)?.name ?? service.departmentId,
    },
  };
}

type UnsignedLicense = Omit<IssuedLicense, 'signature' | 'manifest'>;

/** One license: its document stored, its record ready to sign — not yet signed nor recorded. */
async function buildOne(
  deps: IssueLicensesDeps,
  record: CaseRecord,
  service: LicenseService,
  issuedAt: string,
): Promise<UnsignedLicense> {
  const licenseId = (deps.newLicenseId ?? newLicenseId)();
  const verificationCode = (deps.newVerificationCode ?? newVerificationCode)();
  const built = buildLicense(record, service, issuedAt, { licenseId, verificationCode });
  await deps.files.put(licenseId, built.documentBytes);
  return {
    licenseId,
    caseId: record.caseId,
    serviceId: service.serviceId,
    name: service.result.name,
    departmentId: service.department.id,
    ...deps.files.keysFor(licenseId),
    documentSha256: built.documentSha256,
    dataSha256: built.dataSha256,
    verificationCodeDigest: verificationCodeDigestWith(deps.keyer, licenseId, verificationCode),
    algorithm: deps.signer.algorithm,
    keyId: deps.signer.keyId,
    issuedAt,
  };
}

/**
 * The one signature of an attempt: over the manifest of all its licenses, each record keeping the
 * manifest and the signature (manifest.ts). Nothing to sign, no call. Recorded by the caller; lost
 * a race, the license recorded first is the service's and ours is never shown to anyone.
 */
async function signTogether(
  signer: LicenseSigner,
  licenses: readonly UnsignedLicense[],
): Promise<IssuedLicense[]> {
  if (licenses.length === 0) return [];
  const manifest = manifestOf(licenses);
  const signature = Buffer.from(await signer.sign(manifestMessage(manifest))).toString('base64');
  return licenses.map((l) => ({ ...l, manifest, signature }));
}
