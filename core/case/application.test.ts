/**
 * 一次反馈 as a property: start from a valid application, inject any combination of distinct
 * mistakes, and the check reports exactly those problems — every one, and nothing else.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { mergeFields, mergeMaterials } from '../catalog/merge.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { ValidationError } from '../shared/errors.ts';
import { idNumberCheckCharacter } from '../shared/identifiers.ts';
import { checkApplication, type MaterialFacts } from './application.ts';

const index = indexCatalog(
  CatalogSchema.parse(JSON.parse(readFileSync('cities/changzhou/catalog.json', 'utf8'))),
);
const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration', 'company-seal-filing'];
const services = index.bundle(BUNDLE).services.filter((s) => SERVICES.includes(s.id));
const id17 = '32040219900101123';

type App = {
  bundleId: string;
  services: string[];
  applicant: Record<string, unknown>;
  form: Record<string, unknown>;
  materials: Record<string, unknown>[];
  delivery: Record<string, unknown>;
  commitments: { serviceId: string; accepted: true }[];
};

function validApplication(): { app: App; facts: Map<string, MaterialFacts> } {
  const facts = new Map<string, MaterialFacts>();
  const materials = mergeMaterials(index, services)
    .filter((m) => m.required && !m.material.sharedData)
    .map((m, i) => {
      const materialId = `m-${String(i).padStart(20, 'a')}`;
      facts.set(materialId, { materialId, type: m.material.id, bundleId: BUNDLE, state: 'verified' });
      return { type: m.material.id, materialId };
    });
  return {
    app: {
      bundleId: BUNDLE,
      services: [...SERVICES],
      applicant: {
        kind: 'person',
        name: '张三',
        idNumber: id17 + idNumberCheckCharacter(id17),
        phone: '13812345678',
      },
      form: Object.fromEntries(mergeFields(index, services).map((f) => [f.field.id, f.field.examples[0]])),
      materials,
      delivery: { method: 'electronic' },
      commitments: [],
    },
    facts,
  };
}

/** Each mistake changes the application and says which problem (code + path) it must cause. */
const MISTAKES: Record<string, (app: App, facts: Map<string, MaterialFacts>) => string> = {
  unknownService: (app) => {
    app.services.push('no-such-service');
    return `unknown_service /services/${app.services.length - 1}`;
  },
  badIdNumber: (app) => {
    const good = app.applicant.idNumber as string;
    app.applicant.idNumber = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    return 'invalid_idNumber /applicant/idNumber';
  },
  badPhone: (app) => {
    app.form.contactPhone = '12345';
    return 'invalid_phone /form/contactPhone';
  },
  missingField: (app) => {
    delete app.form.enterpriseName;
    return 'required /form/enterpriseName';
  },
  unknownField: (app) => {
    app.form.favouriteColour = 'red';
    return 'unknown_field /form/favouriteColour';
  },
  missingMaterial: (app) => {
    app.materials = app.materials.filter((m) => m.type !== 'articles-of-association');
    return 'material_missing /materials';
  },
  unverifiedMaterial: (app, facts) => {
    const i = app.materials.findIndex((m) => m.type === 'premises-use-proof');
    const id = app.materials[i]!.materialId as string;
    facts.set(id, { ...facts.get(id)!, state: 'mismatch' });
    return `material_unverified /materials/${i}/materialId`;
  },
  unknownMaterial: (app) => {
    const i = app.materials.findIndex((m) => m.type === 'appointment-documents');
    app.materials[i] = { type: 'appointment-documents', materialId: 'm-zzzzzzzzzzzzzzzzzzzz' };
    return `material_unknown /materials/${i}/materialId`;
  },
  materialInUse: (app, facts) => {
    const i = app.materials.findIndex((m) => m.type === 'shareholder-qualification-proof');
    const id = app.materials[i]!.materialId as string;
    facts.set(id, { ...facts.get(id)!, caseId: 'c-anothercaseanothercase' });
    return `material_in_use /materials/${i}/materialId`;
  },
  courierWithoutAddress: (app) => {
    app.delivery = { method: 'courier' };
    return 'required /delivery/address';
  },
  commitmentNotAllowed: (app) => {
    app.commitments = [{ serviceId: 'company-seal-filing', accepted: true }];
    return 'commitment_not_allowed /commitments/0/serviceId';
  },
};

function problemsOf(app: unknown, facts: Map<string, MaterialFacts>, caseId?: string): string[] {
  try {
    checkApplication(index, app, facts, new Map(), caseId);
    return [];
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.problems.map((p) => `${p.code} ${p.path}`).sort();
  }
}

describe('checking an application (一次反馈)', () => {
  it('accepts the valid base application', () => {
    const { app, facts } = validApplication();
    expect(problemsOf(app, facts)).toEqual([]);
  });

  it('reports exactly the injected mistakes, all at once', () => {
    fc.assert(
      fc.property(fc.subarray(Object.keys(MISTAKES), { minLength: 1 }), (names) => {
        const { app, facts } = validApplication();
        // Index-based paths are computed on the final list: remove a material before locating others.
        const ordered = [...names].sort(
          (a, b) => Number(b === 'missingMaterial') - Number(a === 'missingMaterial'),
        );
        const expected = ordered.map((n) => MISTAKES[n]!(app, facts));
        expect(problemsOf(app, facts)).toEqual(expected.sort());
      }),
      { numRuns: 200 },
    );
  });
});

describe('checking the materials of an application', () => {
  it('accepts a material already part of the very case being created (a retried submission)', () => {
    const { app, facts } = validApplication();
    const id = app.materials[0]!.materialId as string;
    facts.set(id, { ...facts.get(id)!, caseId: 'c-thiscasethiscasethisca' });
    expect(problemsOf(app, facts, 'c-thiscasethiscasethisca')).toEqual([]);
    expect(problemsOf(app, facts, 'c-othercaseothercaseothe')).toEqual([
      'material_in_use /materials/0/materialId',
    ]);
  });

  it('refuses a material whose stored bytes changed since they were verified', () => {
    const { app, facts } = validApplication();
    const id = app.materials[1]!.materialId as string;
    facts.set(id, { ...facts.get(id)!, state: 'changed' });
    expect(problemsOf(app, facts)).toEqual(['material_changed /materials/1/materialId']);
  });
});

describe('checking an absurd application', () => {
  it('bounds its work: 60,000 service names in 240 KB are checked in well under a second', () => {
    const { app, facts } = validApplication();
    const started = performance.now();
    const problems = problemsOf({ ...app, services: Array.from({ length: 60_000 }, () => 'a') }, facts);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(problems).toContain('too_many /services');
    expect(problems.length).toBeLessThanOrEqual(1_100); // not 60,002
  });
});
