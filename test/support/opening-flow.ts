/**
 * The flow steps' unit tests' world: the Changzhou catalog, a Monday, and a 企业开办 case of two
 * services (企业设立登记, then 公章刻制) over the in-memory ports (core/flow/steps.test.ts,
 * core/flow/carry-on.test.ts).
 */
import { readFileSync } from 'node:fs';
import { indexCatalog } from '#core/catalog/catalog-index.ts';
import { CatalogSchema } from '#core/catalog/schema.ts';
import type { FlowDeps } from '#core/flow/steps.ts';
import { caseRecord, inMemoryCases } from './in-memory-cases.ts';

export const changzhou = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);
export const NOW = new Date('2026-11-02T02:00:00.000Z'); // a Monday
export const REGISTRATION = 'enterprise-establishment-registration';
export const SEAL = 'company-seal-filing';

/** A 企业开办 case of the registration and the seal, stored, with flow ports over memory. */
export function openingCase(overrides: Parameters<typeof caseRecord>[0] = {}) {
  const ports = inMemoryCases();
  const record = caseRecord({ bundleId: 'enterprise-opening', services: [REGISTRATION, SEAL], ...overrides });
  ports.store.cases.set(record.caseId, record);
  const deps: FlowDeps = {
    cases: ports.cases,
    tasks: ports.tasks,
    workflow: ports.workflow,
    catalog: changzhou,
    now: () => NOW,
  };
  return { ports, deps, record };
}
