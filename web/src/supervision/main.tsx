/**
 * The supervision dashboard (电子监察): overdue and at-risk work by department and by place
 * (GET /v1/supervision), and the reform's KPIs (GET /v1/statistics) with
 * Chart.js bar charts — each chart with a table of the same figures for screen readers.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { departmentApi, describe } from '../shared/api.ts';
import { loadConfig, type WebConfig } from '../shared/config.ts';
import { Alert, Frame, Loading, when } from '../shared/ui.tsx';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

// biome-ignore lint/suspicious/noExplicitAny: views of API answers
type Json = Record<string, any>;
const KEY = 'yjs.supervision';
const pct = (r: number | null | undefined) =>
  r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`;
const num = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : String(Math.round(x * 100) / 100);

function Bars(props: {
  id: string;
  title: string;
  labels: string[];
  series: { label: string; data: number[]; color: string }[];
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: props.labels,
        datasets: props.series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
      },
    });
    return () => chart.destroy();
  }, [JSON.stringify(props.labels), JSON.stringify(props.series)]);
  return (
    <figure>
      <figcaption id={`${props.id}-cap`}>
        <strong>{props.title}</strong>
      </figcaption>
      <div class="chart">
        <canvas ref={canvas} role="img" aria-labelledby={`${props.id}-cap`} />
      </div>
    </figure>
  );
}

/** Overdue and at-risk counts per department or place: the figures of the chart, as a table. */
function OverdueTable(props: {
  heading: string;
  rows: { key: string; name: string; overdue: number; atRisk: number }[];
}) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{props.heading}</th>
          <th scope="col">超期</th>
          <th scope="col">即将超期</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.key}>
            <td>{r.name}</td>
            <td>{r.overdue}</td>
            <td>{r.atRisk}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Dashboard({ config, token }: { config: WebConfig; token: string }) {
  const [sup, setSup] = useState<Json | undefined>();
  const [stats, setStats] = useState<Json | null | undefined>();
  const [error, setError] = useState('');
  const [statsError, setStatsError] = useState('');
  useEffect(() => {
    const api = departmentApi(config, token);
    api.GET('/v1/supervision').then((r) => (r.data ? setSup(r.data as Json) : setError(describe(r.error))));
    api.GET('/v1/statistics').then((r) => {
      if (r.data) setStats(r.data as Json);
      else {
        setStats(null);
        setStatsError(describe(r.error));
      }
    });
  }, [token]);
  if (error) return <Alert>{error}</Alert>;
  if (!sup) return <Loading />;
  const departments = sup.departments as Json[];
  const places = sup.places as Json[];
  return (
    <>
      <p class="muted">数据时间：{when(sup.generatedAt)}</p>
      <div class="kpis">
        <div class="kpi">
          超期任务<strong class="bad">{sup.totals.overdue}</strong>
        </div>
        <div class="kpi">
          即将超期<strong class="warn">{sup.totals.atRisk}</strong>
        </div>
        {sup.totals.openRectifications !== undefined ? (
          <div class="kpi">
            待整改（差评）<strong>{sup.totals.openRectifications}</strong>
          </div>
        ) : null}
      </div>
      <h2>按部门</h2>
      {departments.length ? (
        <>
          <Bars
            id="by-dept"
            title="各部门超期与即将超期任务"
            labels={departments.map((d) => d.departmentName)}
            series={[
              { label: '超期', data: departments.map((d) => d.overdue.length), color: '#a1161f' },
              { label: '即将超期', data: departments.map((d) => d.atRisk.length), color: '#b36b00' },
            ]}
          />
          <OverdueTable
            heading="部门"
            rows={departments.map((d) => ({
              key: d.departmentId,
              name: d.departmentName,
              overdue: d.overdue.length,
              atRisk: d.atRisk.length,
            }))}
          />
        </>
      ) : (
        <p class="ok">没有超期或即将超期的任务。</p>
      )}
      <h2>按办理地点</h2>
      {places.length ? (
        <OverdueTable
          heading="地点"
          rows={places.map((p) => ({
            key: p.placeId,
            name: p.placeName,
            overdue: p.overdue,
            atRisk: p.atRisk,
          }))}
        />
      ) : (
        <p class="ok">各办理地点均无超期。</p>
      )}
      <h2>考核指标</h2>
      {stats === undefined ? (
        <Loading />
      ) : stats === null ? (
        <Alert>考核指标暂不可用：{statsError}</Alert>
      ) : (
        <>
          <p class="muted">
            统计期：{stats.from} 至 {stats.to}
          </p>
          <div class="kpis">
            <div class="kpi">
              申请件数<strong>{stats.cases}</strong>
            </div>
            <div class="kpi">
              办结<strong>{stats.decided}</strong>
            </div>
            <div class="kpi">
              一次办成率<strong>{pct(stats.firstTimeSuccessRate)}</strong>
            </div>
            <div class="kpi">
              平均用时（工作日）<strong>{num(stats.averageWorkingDays)}</strong>
            </div>
            <div class="kpi">
              超期率<strong>{pct(stats.overdueRate)}</strong>
            </div>
            <div class="kpi">
              材料复用<strong>{pct(stats.materialsReusedShare)}</strong>
            </div>
          </div>
          {(stats.byBundle as Json[] | undefined)?.length ? (
            <>
              <Bars
                id="by-bundle"
                title="各一件事：申请与办结件数"
                labels={(stats.byBundle as Json[]).map((b) => b.bundleName)}
                series={[
                  { label: '申请', data: (stats.byBundle as Json[]).map((b) => b.cases), color: '#0b5394' },
                  { label: '办结', data: (stats.byBundle as Json[]).map((b) => b.decided), color: '#1d6b2f' },
                ]}
              />
              <table>
                <thead>
                  <tr>
                    <th scope="col">一件事</th>
                    <th scope="col">申请</th>
                    <th scope="col">办结</th>
                    <th scope="col">一次办成率</th>
                    <th scope="col">平均用时</th>
                  </tr>
                </thead>
                <tbody>
                  {(stats.byBundle as Json[]).map((b) => (
                    <tr key={b.bundleId}>
                      <td>{b.bundleName}</td>
                      <td>{b.cases}</td>
                      <td>{b.decided}</td>
                      <td>{pct(b.firstTimeSuccessRate)}</td>
                      <td>{num(b.averageWorkingDays)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </>
      )}
    </>
  );
}

function App({ config }: { config: WebConfig }) {
  const [token, setToken] = useState(() => sessionStorage.getItem(KEY) ?? '');
  const [draft, setDraft] = useState('');
  const supervisor =
    config.mode === 'local' ? config.demoDepartments?.find((d) => d.id === 'supervision') : undefined;
  return (
    <Frame app="电子监察" title="电子监察">
      {token ? (
        <Dashboard config={config} token={token} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            sessionStorage.setItem(KEY, draft.trim());
            setToken(draft.trim());
          }}
        >
          <div class="field">
            <label for="token">监察令牌</label>
            <textarea
              id="token"
              class="wide"
              rows={3}
              value={draft}
              onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <div class="actions">
            <button type="submit">登录</button>
            {supervisor ? (
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  sessionStorage.setItem(KEY, supervisor.token);
                  setToken(supervisor.token);
                }}
              >
                使用演示监察账号（仅本地模式）
              </button>
            ) : null}
          </div>
        </form>
      )}
    </Frame>
  );
}

loadConfig().then((config) => render(<App config={config} />, document.getElementById('app')!));
