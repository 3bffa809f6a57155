/**
 * 一次提交 chooses all or some services of a bundle (除法律法规规定应当并行办理的事项外, 可自主选择).
 * Checks a choice against the bundle's rules and reports every problem at once.
 */
import { type Problem, ValidationError } from '../shared/errors.ts';
import type { CatalogIndex } from './catalog-index.ts';
import type { Bundle, Service } from './schema.ts';

/**
 * The chosen services in the bundle's order. `chosen` undefined means the whole bundle.
 * `at` is the JSON Pointer of the choice in the request (e.g. "/services" or "/query/services").
 */
export function selectServices(
  bundle: Bundle,
  chosen: readonly string[] | undefined,
  at = '/services',
): Service[] {
  if (chosen === undefined) return [...bundle.services];
  const problems: Problem[] = [];
  const byId = new Map(bundle.services.map((s) => [s.id, s]));
  const seen = new Set<string>();
  chosen.forEach((id, i) => {
    if (!byId.has(id))
      problems.push({
        path: `${at}/${i}`,
        code: 'unknown_service',
        message: `"${id}" is not a service of bundle "${bundle.id}" (its services: ${bundle.services.map((s) => s.id).join(', ')}).`,
      });
    else if (seen.has(id))
      problems.push({ path: `${at}/${i}`, code: 'duplicate_service', message: `"${id}" is chosen twice.` });
    seen.add(id);
  });
  if (chosen.length === 0)
    problems.push({ path: at, code: 'no_service', message: 'Choose at least one service.' });
  problems.push(...ruleProblems(bundle, seen, at));
  if (problems.length) throw new ValidationError(problems);
  return bundle.services.filter((s) => seen.has(s.id));
}

/** Every rule the chosen set breaks. */
export function ruleProblems(bundle: Bundle, chosen: ReadonlySet<string>, at = '/services'): Problem[] {
  const problems: Problem[] = [];
  for (const rule of bundle.rules) {
    if (rule.kind === 'together') {
      const picked = rule.services.filter((s) => chosen.has(s));
      if (picked.length > 0 && picked.length < rule.services.length) {
        const missing = rule.services.filter((s) => !chosen.has(s));
        problems.push({
          path: at,
          code: 'services_must_go_together',
          message: `${rule.services.join(', ')} must be applied for together${rule.reason ? ` (${rule.reason})` : ''}; add ${missing.join(', ')}.`,
        });
      }
    } else if (rule.kind === 'requires') {
      if (chosen.has(rule.service) && !chosen.has(rule.requires))
        problems.push({
          path: at,
          code: 'service_requires_another',
          message: `${rule.service} requires ${rule.requires}${rule.reason ? ` (${rule.reason})` : ''}.`,
        });
    }
  }
  return problems;
}

/**
 * The bundle and the services a catalog route's `?services=` chose (all when omitted): unknown
 * bundle → not found, unknown or disallowed services → every problem at `/query/services`.
 */
export function chosenServices(index: CatalogIndex, bundleId: string, chosen: readonly string[] | undefined) {
  const bundle = index.bundle(bundleId);
  return { bundle, services: selectServices(bundle, chosen, '/query/services') };
}
