/**
 * How bundles are shown through the API (一张清单): names resolved, time limits in working days
 * (a calendar-day limit converted; its own unit is in the detail's `timeLimit`).
 */
import type { CatalogIndex } from './catalog-index.ts';
import { bundleTimeLimitDays, committedWorkingDays, reductionMetrics } from './guide.ts';
import type { Bundle, Service } from './schema.ts';

export function serviceSummary(s: Service) {
  return { id: s.id, name: s.name, departmentId: s.departmentId, timeLimitDays: committedWorkingDays(s) };
}

export function bundleSummary(index: CatalogIndex, b: Bundle) {
  const dept = (id: string) => ({ id, name: index.department(id).name });
  return {
    id: b.id,
    name: b.name,
    ...(b.summary ? { summary: b.summary } : {}),
    audience: b.audience,
    category: b.category,
    detail: b.detail,
    leadDepartment: dept(b.leadDepartmentId),
    departments: b.departmentIds.map(dept),
    services: b.services.map(serviceSummary),
    timeLimitDays: bundleTimeLimitDays(b.services),
  };
}

export function bundleDetail(index: CatalogIndex, b: Bundle) {
  return {
    ...bundleSummary(index, b),
    catalogVersion: index.catalog.version,
    services: b.services.map((s) => ({
      ...serviceSummary(s),
      departmentName: index.department(s.departmentId).name,
      legalBasis: s.legalBasis,
      conditions: s.conditions,
      timeLimit: s.timeLimit,
      fees: s.fees,
      result: s.result,
      commitment: s.commitment,
      delivery: s.delivery,
      fields: s.fields,
      materials: s.materials,
    })),
    rules: b.rules,
    metrics: reductionMetrics(index, b.services),
    ...(b.source ? { source: b.source } : {}),
  };
}
