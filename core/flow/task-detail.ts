/**
 * What a department sees of a case when it works on its task: only the form fields and materials
 * its own services need (最小必要), plus the case's progress. The lead department's acceptance
 * covers every chosen service, so it sees the whole application.
 */

import type { CaseRecord, TaskRecord } from '../case/model.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { mergeFields, mergeMaterials } from '../catalog/merge.ts';

export function taskScope(index: CatalogIndex, record: CaseRecord, task: TaskRecord) {
  const bundle = index.bundle(record.bundleId);
  const services = bundle.services.filter((s) => task.services.includes(s.id));
  const fields = mergeFields(index, services);
  const materialTypes = new Set(mergeMaterials(index, services).map((m) => m.material.id));
  return {
    bundle: { id: bundle.id, name: bundle.name },
    services: services.map((s) => ({
      id: s.id,
      name: s.name,
      legalBasis: s.legalBasis,
      conditions: s.conditions,
      commitment: record.commitments.includes(s.id),
    })),
    form: Object.fromEntries(
      fields
        .filter((f) => record.form[f.field.id] !== undefined)
        .map((f) => [f.field.id, { title: f.field.title, value: record.form[f.field.id] }]),
    ),
    materials: record.materials.filter((m) => materialTypes.has(m.type)),
  };
}
