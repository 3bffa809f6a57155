/**
 * What a load benchmark sets up on a running bench stack before it starts: portals of its own (so
 * the reconciliation can count exactly this run's cases per portal), one application template per
 * bundle, and the departments those bundles involve (each gets one worker). The adapters are
 * imported here, after the stack has set their environment (module-scope SDK clients read it).
 */
import type { Api } from './http.ts';
import { type ApplicationTemplate, applicationTemplate } from './portal.ts';

export async function prepareLoad(
  api: Api,
  options: { portals: number; idPrefix: string; label: string; bundles: readonly string[] },
) {
  const { registerPortalKey } = await import('#adapters/dynamodb/credential-store.ts');
  const { newApiKey } = await import('#core/credentials/tokens.ts');
  const { catalog } = await import('#adapters/catalog/file-catalog.ts');
  const portals = await Promise.all(
    Array.from({ length: options.portals }, async (_, i) => {
      const id = `${options.idPrefix}-${i + 1}`;
      const apiKey = newApiKey();
      await registerPortalKey(id, `${options.label} ${i + 1}`, apiKey);
      return { id, apiKey };
    }),
  );
  const templates: ApplicationTemplate[] = [];
  for (const bundleId of options.bundles) templates.push(await applicationTemplate(api, bundleId));
  const index = catalog();
  const departments = [
    ...new Set(
      options.bundles.flatMap((id) => {
        const bundle = index.bundle(id);
        return [bundle.leadDepartmentId, ...bundle.services.map((s) => s.departmentId)];
      }),
    ),
  ].sort();
  return { portals, templates, departments };
}
