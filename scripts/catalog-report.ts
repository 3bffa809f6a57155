/**
 * `npm run catalog:report [-- --city <id>] [--json]`: how much 一件事 saves, measured from the
 * city's catalog alone — for every bundle (all its services chosen; a draft outline bundle is
 * listed but measures nothing): fields asked
 * before and after merging the forms, materials before, after deduplication and after leaving out
 * what the government already holds, the share of the form that shared data can fill in, counter
 * visits, and the time limit of parallel review against the sum of the services' limits.
 *
 * The yardstick is the reform's own: "企业和群众到政府办事提供的材料减少30%以上" (2018) and
 * "减少60%以上" (2019) — 廊坊市《推进政务服务“一网、一门、一次”改革工作方案》(征求意见稿).
 * The numbers are the same `reductionMetrics` that GET /v1/bundles/{id}/metrics answers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogFile } from '../adapters/catalog/file-catalog.ts';
import { type ReductionMetrics, reductionMetrics } from '../core/catalog/guide.ts';
import { repoRoot } from '../local/lambda-registry.ts';

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}

const pct = (before: number, after: number) =>
  before === 0 ? 0 : Math.round(((before - after) / before) * 1000) / 10;

interface Row {
  bundleId: string;
  name: string;
  detail: 'full' | 'outline';
  metrics: ReductionMetrics;
  /** The reform's targets for the upload cut: −30 % (2018) and −60 % (2019). */
  meets: { readonly minus30: boolean; readonly minus60: boolean };
}

/** Which of the reform's targets an upload cut reaches (2018: −30 %, 2019: −60 %). */
const targetsMet = (m: { readonly materials: { readonly reductionPercent: number } }) => ({
  minus30: m.materials.reductionPercent >= 30,
  minus60: m.materials.reductionPercent >= 60,
});
const targetCell = (t: Row['meets']) => (t.minus60 ? '−60% ✓' : t.minus30 ? '−30% ✓' : '✗');

/** Sums over bundles; percentages recomputed from the sums, the prefillable share weighted by fields. */
function totals(rows: readonly Row[]) {
  const sum = (f: (m: ReductionMetrics) => number) => rows.reduce((n, r) => n + f(r.metrics), 0);
  const fieldsBefore = sum((m) => m.fields.before);
  const fieldsAfter = sum((m) => m.fields.after);
  const materialsBefore = sum((m) => m.materials.before);
  const materialsAfter = sum((m) => m.materials.after);
  const toUpload = sum((m) => m.materials.toUpload);
  return {
    bundles: rows.length,
    services: sum((m) => m.services),
    fields: { before: fieldsBefore, after: fieldsAfter, reductionPercent: pct(fieldsBefore, fieldsAfter) },
    materials: {
      before: materialsBefore,
      after: materialsAfter,
      dedupReductionPercent: pct(materialsBefore, materialsAfter),
      alreadyHeld: sum((m) => m.materials.alreadyHeld),
      toUpload,
      reductionPercent: pct(materialsBefore, toUpload),
    },
    prefillableShare:
      fieldsAfter === 0
        ? 0
        : Math.round((sum((m) => m.prefillableShare * m.fields.after) / fieldsAfter) * 1000) / 1000,
    visits: sum((m) => m.visits),
    timeLimitDays: {
      parallel: sum((m) => m.timeLimitDays.parallel),
      sequentialSum: sum((m) => m.timeLimitDays.sequentialSum),
    },
  };
}

/** Display width in a monospace terminal: CJK and full-width characters take two columns. */
const width = (s: string) =>
  [...s].reduce(
    (n, c) =>
      n +
      (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        c,
      )
        ? 2
        : 1),
    0,
  );
const pad = (s: string, w: number, right = false) =>
  right ? ' '.repeat(w - width(s)) + s : s + ' '.repeat(w - width(s));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => pad(c, widths[i]!, i > 0)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i > 0 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function main() {
  const city = argValue('--city') || 'changzhou';
  const file = join(repoRoot, 'cities', city, 'catalog.json');
  if (!existsSync(file)) {
    process.stderr.write(`There is no catalog for city "${city}" (${file}).\n`);
    process.exit(1);
  }
  const index = loadCatalogFile(file);
  const rows: Row[] = index.catalog.bundles.map((b) => {
    const metrics = reductionMetrics(index, b.services);
    return { bundleId: b.id, name: b.name, detail: b.detail, metrics, meets: targetsMet(metrics) };
  });
  const detailed = rows.filter((r) => r.detail === 'full');
  const total = totals(detailed);
  const date = new Date().toISOString().slice(0, 10);

  if (process.argv.includes('--json')) {
    process.stdout.write(
      `${JSON.stringify({ city: index.catalog.city, catalogVersion: index.catalog.version, date, bundles: rows, totals: total }, null, 2)}\n`,
    );
    return;
  }

  const cells = (
    name: string,
    m: ReductionMetrics | ReturnType<typeof totals>,
    services: string,
    target: string,
  ) => {
    const dedup =
      'dedupReductionPercent' in m.materials
        ? m.materials.dedupReductionPercent
        : pct(m.materials.before, m.materials.after);
    return [
      name,
      services,
      `${m.fields.before} → ${m.fields.after} (−${m.fields.reductionPercent}%)`,
      `${m.materials.before} → ${m.materials.after} (−${dedup}%) → ${m.materials.toUpload}`,
      `−${m.materials.reductionPercent}%`,
      target,
      `${Math.round(m.prefillableShare * 100)}%`,
      String(m.visits),
      `${m.timeLimitDays.parallel} vs ${m.timeLimitDays.sequentialSum}`,
    ];
  };
  const body = rows.map((r) =>
    cells(
      `${r.name} (${r.bundleId})${r.detail === 'full' ? '' : ' [draft outline]'}`,
      r.metrics,
      String(r.metrics.services),
      r.detail === 'full' ? targetCell(r.meets) : '—',
    ),
  );
  body.push(
    cells(
      `total (${total.bundles} detailed bundle${total.bundles === 1 ? '' : 's'})`,
      total,
      String(total.services),
      targetCell(targetsMet(total)),
    ),
  );
  const out = [
    `${index.catalog.city.name} (${index.catalog.city.id}), catalog ${index.catalog.version}, ${date}: ${detailed.length} fully detailed of ${index.catalog.bundles.length} bundles, all services chosen`,
    '',
    table(
      [
        'bundle',
        'services',
        'fields before → after',
        'materials before → merged → to upload',
        'upload cut',
        'target',
        'prefill',
        'visits',
        'days parallel vs sum',
      ],
      body,
    ),
    '',
    `Upload cut = materials before → to upload (a conditional material counts as asked; one asked per party counts once); the reform's target is −30% (2018) and −60% (2019). ${
      detailed.filter((r) => r.meets.minus60).length
    } of ${detailed.length} bundles reach −60%, ${detailed.filter((r) => r.meets.minus30).length} reach −30%${
      detailed.some((r) => !r.meets.minus30)
        ? `; below −30%: ${detailed
            .filter((r) => !r.meets.minus30)
            .map((r) => r.bundleId)
            .join(', ')}`
        : ''
    }.`,
    '',
  ];
  process.stdout.write(out.join('\n'));
}

main();
