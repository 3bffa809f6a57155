/**
 * `npm run reform:report [-- --from YYYY-MM-DD --to YYYY-MM-DD --json --chart <file.svg>]`: the
 * reform measured — for a period (default the last 30 days), per bundle, what the catalog promises
 * (the reductions GET /v1/bundles/{id}/metrics computes: materials before → to upload, counter
 * visits, legal and committed days) beside what the cases show (GET /v1/statistics of the running
 * stack: cases, 一次办成率, materials really uploaded per case, visits per issued case, working
 * days taken against the committed and legal limits, overdue rate, 满意率).
 *
 * Prints a Markdown table and writes a chart (SVG, rendered headless by vega + vega-lite) to
 * docs/img/reform-report.svg. Reads the stack from .local/credentials.json (LOCAL_DIR to change
 * it) with the supervisor's token; `npm run demo:month` fills a demo stack first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { loadCatalogFile } from '../adapters/catalog/file-catalog.ts';
import { type ReductionMetrics, reductionMetrics } from '../core/catalog/guide.ts';
import { repoRoot } from '../local/lambda-registry.ts';
import type { DemoCredentials } from '../local/setup/demo-credentials.ts';

const arg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
};

type Kpis = Record<string, number | null> & { cases: number; issued: number; decided: number };
type Statistics = Kpis & {
  from: string;
  to: string;
  byBundle?: (Kpis & { bundleId: string; bundleName: string })[];
};

async function statistics(creds: DemoCredentials): Promise<Statistics> {
  const supervisor = creds.departments.find((d) => d.id === 'supervision');
  if (!supervisor) throw new Error('no supervisor token in the credentials');
  const query = new URLSearchParams();
  for (const k of ['from', 'to']) if (arg(`--${k}`)) query.set(k, arg(`--${k}`)!);
  const res = await fetch(`${creds.baseUrl}/v1/statistics?${query}`, {
    headers: { authorization: `Bearer ${supervisor.token}` },
  });
  const body = (await res.json()) as Statistics & { detail?: string };
  if (!res.ok) throw new Error(`GET /v1/statistics: ${res.status} ${body.detail ?? ''}`);
  return body;
}

const pct = (r: number | null | undefined) =>
  r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`;
const num = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? '—' : String(Math.round(v * 10 ** digits) / 10 ** digits);
const per = (n: number | null | undefined, d: number) => (d > 0 && typeof n === 'number' ? n / d : null);

/** Display width in a monospace terminal: CJK characters take two columns. */
const width = (s: string) =>
  [...s].reduce((n, c) => n + (/[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(c) ? 2 : 1), 0);
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, w: number, right: boolean) =>
    right ? ' '.repeat(w - width(s)) + s : s + ' '.repeat(w - width(s));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => pad(c, widths[i]!, i > 0)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i > 0 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

interface Row {
  bundleId: string;
  name: string;
  catalog: ReductionMetrics | undefined;
  measured: Kpis;
}

function cells(r: Row): string[] {
  const m = r.measured;
  const c = r.catalog;
  return [
    r.name,
    String(m.cases),
    `${m.issued}`,
    pct(m.firstTimeSuccessRate),
    c ? `${c.materials.before} → ${c.materials.toUpload}` : '—',
    num(per(m.materialsUploaded, m.cases)),
    c ? String(c.visits) : '—',
    num(m.visitsPerIssuedCase, 2),
    c ? `${c.timeLimitDays.sequentialSum} → ${c.timeLimitDays.parallel}` : '—',
    `${num(m.averageLegalDays)} / ${num(m.averageCommittedDays)} / ${num(m.averageWorkingDays)}`,
    pct(m.overdueRate),
    pct(m.satisfactionRate),
  ];
}

const HEADER = [
  'bundle',
  'cases',
  'issued',
  '一次办成率',
  'materials: catalog before → to upload',
  'uploaded per case',
  'visits: catalog',
  'per issued case',
  'days: catalog sum → parallel',
  'days: legal / committed / taken',
  'overdue',
  '满意率',
];

/** A vega-lite chart: days per bundle (legal, committed, taken) and 一次办成率, as SVG. */
async function chart(rows: readonly Row[], s: Statistics): Promise<string> {
  const decided = rows.filter((r) => r.measured.decided > 0);
  const days = decided.flatMap((r) => [
    { bundle: r.name, measure: '1 legal limit 法定时限', days: r.measured.averageLegalDays },
    { bundle: r.name, measure: '2 committed 承诺时限', days: r.measured.averageCommittedDays },
    { bundle: r.name, measure: '3 taken 实际用时', days: r.measured.averageWorkingDays },
  ]);
  const success = rows
    .filter((r) => r.measured.issued > 0)
    .map((r) => ({ bundle: r.name, rate: r.measured.firstTimeSuccessRate }));
  const satisfaction = rows
    .filter((r) => (r.measured.ratings ?? 0) > 0)
    .map((r) => ({ bundle: r.name, rate: r.measured.satisfactionRate }));
  const ratePanel = (title: string, values: unknown[], color: string) => ({
    title,
    data: { values },
    mark: { type: 'bar', color },
    width: 180,
    height: { step: 24 },
    encoding: {
      y: { field: 'bundle', type: 'nominal', title: null, sort: null },
      x: {
        field: 'rate',
        type: 'quantitative',
        title: null,
        axis: { format: '.0%' },
        scale: { domain: [0, 1] },
      },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `一件事一次办 measured, ${s.from} – ${s.to}: ${s.cases} cases, ${s.issued} issued, 一次办成率 ${pct(s.firstTimeSuccessRate)}, 满意率 ${pct(s.satisfactionRate)}`,
      fontSize: 14,
    },
    // vega measures text without a canvas by estimate, too narrow for CJK: room on the left for the names.
    padding: { left: 70, top: 8, right: 8, bottom: 8 },
    config: { font: 'sans-serif', view: { stroke: null }, axis: { labelLimit: 0 } },
    hconcat: [
      {
        title: 'Working days per decided case (average)',
        data: { values: days },
        mark: 'bar',
        width: 360,
        height: { step: 12 },
        encoding: {
          y: { field: 'bundle', type: 'nominal', title: null, sort: null },
          yOffset: { field: 'measure', type: 'nominal' },
          x: { field: 'days', type: 'quantitative', title: 'working days' },
          color: {
            field: 'measure',
            type: 'nominal',
            title: null,
            scale: { range: ['#c7c7c7', '#6baed6', '#e6550d'] },
            legend: { orient: 'bottom', direction: 'vertical' },
          },
        },
      },
      ratePanel('一次办成率 (no correction round)', success, '#31a354'),
      ...(satisfaction.length ? [ratePanel('满意率 (好差评 4–5)', satisfaction, '#756bb1')] : []),
    ],
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec), {
    renderer: 'none',
  });
  return view.toSVG();
}

async function main() {
  const localDir = process.env.LOCAL_DIR ?? join(repoRoot, '.local');
  const creds = JSON.parse(readFileSync(join(localDir, 'credentials.json'), 'utf8')) as DemoCredentials;
  const city = process.env.CITY ?? 'changzhou';
  const index = loadCatalogFile(join(repoRoot, 'cities', city, 'catalog.json'));
  const s = await statistics(creds);
  const rows: Row[] = (s.byBundle ?? []).map((b) => {
    const bundle = index.bundles.get(b.bundleId);
    return {
      bundleId: b.bundleId,
      name: b.bundleName,
      catalog: bundle ? reductionMetrics(index, bundle.services) : undefined,
      measured: b,
    };
  });
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ statistics: s, rows }, null, 2)}\n`);
    return;
  }
  const total: Row = {
    bundleId: '*',
    name: `city (${index.catalog.city.name})`,
    catalog: undefined,
    measured: s,
  };
  process.stdout.write(
    [
      `${index.catalog.city.name}, ${s.from} to ${s.to}: the catalog's reductions (all services chosen) beside what the cases measured`,
      '',
      table(HEADER, [...rows.map(cells), cells(total)]),
      '',
      `好差评: ${s.ratings ?? 0} ratings, 满意率 ${pct(s.satisfactionRate)}, ${s.badRatings ?? 0} 差评 → ${s.rectificationsOpened ?? 0} rectifications, ${s.rectificationsCompleted ?? 0} completed (差评整改率 ${pct(s.rectificationRate)}). 12345: ${s.inquiries ?? 0} inquiries (${s.complaints ?? 0} complaints), ${s.inquiriesAnswered ?? 0} answered in ${num(s.averageInquiryAnswerHours)} h on average, ${s.inquiriesAnsweredLate ?? 0} late.`,
      '',
      "Days: the catalog's committed limits summed over the services (one after another) and in parallel; the cases' legal / committed limits and the working days they took, on average over the decided cases. Visits per issued case count a results pickup (not for electronic delivery) and on-site inspections (a joint inspection once).",
      '',
    ].join('\n'),
  );
  const file = arg('--chart') ?? join(repoRoot, 'docs', 'img', 'reform-report.svg');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await chart(rows, s));
  process.stdout.write(`Chart: ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
