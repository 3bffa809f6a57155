/** How a case and its tasks are shown (进度查询): personal data masked, names resolved. */

import type { CatalogIndex } from '../catalog/catalog-index.ts';
import type { LicenseLink } from '../licenses/links.ts';
import { maskIdentifier, maskName, maskPhone } from '../shared/identifiers.ts';
import type { Applicant } from './applicant.ts';
import type { CaseMaterial, CaseRecord, TaskRecord } from './model.ts';
import type { CaseView } from './ports.ts';

export function maskedApplicant(a: Applicant) {
  return a.kind === 'person'
    ? {
        kind: a.kind,
        name: maskName(a.name),
        idNumber: maskIdentifier(a.idNumber),
        phone: maskPhone(a.phone),
      }
    : { kind: a.kind, name: a.name, uscc: a.uscc, phone: maskPhone(a.phone) };
}

/** A case's material as answered: without the stored file's facts (its object key is storage's own). */
export function publicMaterial(m: CaseMaterial): Omit<CaseMaterial, 'file'> {
  const { file: _file, ...shown } = m;
  return shown;
}

export function taskView(index: CatalogIndex, t: TaskRecord) {
  return {
    id: t.taskId,
    caseId: t.caseId,
    kind: t.kind,
    departmentId: t.departmentId,
    departmentName:
      t.departmentId === 'applicant'
        ? '申请人'
        : (index.departments.get(t.departmentId)?.name ?? t.departmentId),
    services: t.services,
    round: t.round,
    ...(t.stage ? { stage: t.stage } : {}),
    status: t.status,
    createdAt: t.createdAt,
    dueAt: t.dueAt,
    overdue: t.overdue || (t.status === 'pending' && Date.parse(t.dueAt) < Date.now()),
    escalations: t.escalations,
    ...(t.decision
      ? {
          decision: {
            outcome: t.decision.outcome,
            opinion: t.decision.opinion,
            corrections: t.decision.corrections,
            decidedAt: t.decision.decidedAt,
          },
        }
      : {}),
  };
}

/** The first response of a submission: the same for every replay of the same Idempotency-Key. */
export function submissionView(r: CaseRecord) {
  return {
    id: r.caseId,
    status: 'submitted' as const,
    bundleId: r.bundleId,
    services: r.services,
    createdAt: r.createdAt,
    dueAt: r.dueAt,
  };
}

/** The applicant's view of a case; `licenses` as they are given out, with their links (core/licenses/links.ts). */
export function caseView(index: CatalogIndex, v: CaseView, licenses: readonly LicenseLink[]) {
  const r = v.record;
  const bundle = index.bundles.get(r.bundleId);
  const serviceName = (id: string) => bundle?.services.find((s) => s.id === id)?.name ?? id;
  const approved = new Set(r.outcome?.approved ?? []);
  const rejected = new Map((r.outcome?.rejected ?? []).map((x) => [x.serviceId, x]));
  return {
    id: r.caseId,
    bundleId: r.bundleId,
    bundleName: bundle?.name ?? r.bundleId,
    catalogVersion: r.catalogVersion,
    status: r.status,
    services: r.services.map((id) => ({
      id,
      name: serviceName(id),
      departmentId: bundle?.services.find((s) => s.id === id)?.departmentId,
      result: approved.has(id)
        ? ('approved' as const)
        : rejected.has(id)
          ? ('rejected' as const)
          : ('pending' as const),
      ...(rejected.has(id) ? { opinion: rejected.get(id)!.opinion } : {}),
    })),
    applicant: maskedApplicant(r.applicant),
    delivery: r.delivery.method,
    materials: r.materials.map(publicMaterial),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    dueAt: r.dueAt,
    correctionRound: r.correctionRound,
    ...(r.status === 'awaiting_correction' && r.correction ? { correction: r.correction } : {}),
    ...(r.outcome?.refused ? { refusal: r.outcome.refused } : {}),
    tasks: [...v.tasks]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.taskId.localeCompare(b.taskId))
      .map((t) => taskView(index, t)),
    timeline: [...v.timeline].sort((a, b) => a.at.localeCompare(b.at)),
    licenses,
    ...(r.places ? { places: r.places } : {}),
    ...(r.results ? { results: r.results } : {}),
    ...(r.acting
      ? {
          actedBy: {
            basis: r.acting.basis,
            ...(r.acting.authorisationId ? { authorisationId: r.acting.authorisationId } : {}),
            helper: r.acting.basis === 'authorisation',
            ...(r.acting.verifiedBy ? { verifiedBy: r.acting.verifiedBy } : {}),
          },
        }
      : {}),
  };
}
