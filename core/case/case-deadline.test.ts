import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { criticalPath, prerequisites } from '../flow/stages.ts';
import { addWorkingDays } from '../time/working-days.ts';
import { caseDeadline } from './submit-case.ts';

const index = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);
const NOW = new Date('2026-11-02T02:00:00.000Z'); // a Monday morning in China

describe('the deadline of a case', () => {
  it('is the longest chain of prerequisites in working days under staged review (企业开办)', () => {
    const bundle = index.bundle('enterprise-opening');
    const services = bundle.services;
    const path = criticalPath(
      services,
      prerequisites(
        bundle,
        services.map((s) => s.id),
      ),
    );
    expect(path.path[0]).toBe('enterprise-establishment-registration');
    expect(path.path.length).toBeGreaterThan(1);
    expect(caseDeadline(NOW, bundle, services).toISOString()).toBe(
      addWorkingDays(NOW, path.days).toISOString(),
    );
  });

  it('is the single service’s own limit when nothing waits on anything', () => {
    const bundle = index.bundle('enterprise-opening');
    const alone = bundle.services.filter((s) => s.id === 'enterprise-establishment-registration');
    expect(caseDeadline(NOW, bundle, alone).toISOString()).toBe(
      addWorkingDays(NOW, alone[0]!.timeLimit.committedDays).toISOString(),
    );
  });
});
