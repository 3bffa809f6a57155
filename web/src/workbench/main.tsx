/**
 * The department workbench (部门工作台), for departments without a business system of their own:
 * sign in with the department's credential (a token; in local mode, a demo department can be
 * chosen), the inbox with due dates and at-risk/overdue flags, a task with its form and materials
 * (PDFs in the browser's own viewer), and the decision — approve, reject, or corrections per field
 * or per material — in one step.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type ApiClient, departmentApi, describe } from '../shared/api.ts';
import { loadConfig, type WebConfig } from '../shared/config.ts';
import { Alert, Frame, Loading, Note, Scroll, TASK_KIND, TASK_STATUS, when } from '../shared/ui.tsx';

// biome-ignore lint/suspicious/noExplicitAny: views of API answers
type Json = Record<string, any>;
const KEY = 'yjs.workbench';
const AT_RISK_MS = 24 * 3600 * 1000;

interface Login {
  readonly departmentId: string;
  readonly token: string;
}

function departmentOf(token: string): string | undefined {
  try {
    const part = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      sub?: string;
      dept?: string;
    };
    return claims.dept ?? claims.sub;
  } catch {
    return undefined;
  }
}

function SignIn({ config, onLogin }: { config: WebConfig; onLogin: (l: Login) => void }) {
  const [token, setToken] = useState('');
  const [dept, setDept] = useState('');
  const [error, setError] = useState('');
  const demo = config.mode === 'local' ? (config.demoDepartments ?? []) : [];
  return (
    <>
      <p>使用本部门的访问令牌登录。</p>
      {error ? <Alert>{error}</Alert> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const chosen = demo.find((d) => d.id === dept);
          const t = chosen?.token ?? token.trim();
          const id = chosen?.id ?? departmentOf(t);
          if (!t || !id) return setError('请粘贴有效的部门令牌，或选择一个演示部门。');
          onLogin({ departmentId: id, token: t });
        }}
      >
        {demo.length ? (
          <div class="field">
            <label for="demo">演示部门（仅本地模式）</label>
            <select
              id="demo"
              class="wide"
              value={dept}
              onChange={(e) => setDept((e.target as HTMLSelectElement).value)}
            >
              <option value="">— 选择 —</option>
              {demo.map((d) => (
                <option value={d.id} key={d.id}>
                  {d.name}（{d.id}）
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div class="field">
          <label for="token">部门令牌</label>
          <textarea
            id="token"
            class="wide"
            rows={3}
            value={token}
            onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
          />
        </div>
        <button type="submit">登录</button>
      </form>
    </>
  );
}

function flags(t: Json) {
  const left = Date.parse(t.dueAt) - Date.now();
  if (t.overdue || left < 0) return <span class="tag bad">已超期</span>;
  if (left < AT_RISK_MS) return <span class="tag warn">即将超期</span>;
  return <span class="tag ok">正常</span>;
}

function Inbox({ api, login }: { api: ApiClient; login: Login }) {
  const [status, setStatus] = useState('pending');
  const [items, setItems] = useState<Json[] | undefined>();
  const [error, setError] = useState('');
  const [n, setN] = useState(0);
  useEffect(() => {
    setItems(undefined);
    api
      .GET('/v1/departments/{departmentId}/tasks', {
        params: { path: { departmentId: login.departmentId }, query: { status, limit: 100 } as never },
      })
      .then((r) => (r.data ? setItems((r.data as Json).items) : setError(describe(r.error))));
  }, [status, n]);
  return (
    <>
      <div class="actions">
        <div class="field" style="margin:0">
          <label for="status">状态</label>
          <select
            id="status"
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}
          >
            {['pending', 'approved', 'rejected', 'correction_requested'].map((s) => (
              <option value={s} key={s}>
                {TASK_STATUS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="button" class="secondary" onClick={() => setN((x) => x + 1)}>
          刷新
        </button>
      </div>
      {error ? <Alert>{error}</Alert> : null}
      {!items ? (
        <Loading />
      ) : !items.length ? (
        <p>没有{TASK_STATUS[status]}的任务。</p>
      ) : (
        <Scroll label="待办任务">
          <table>
            <caption class="sr-only">待办任务</caption>
            <thead>
              <tr>
                <th scope="col">任务</th>
                <th scope="col">办件</th>
                <th scope="col">事项</th>
                <th scope="col">办理时限</th>
                <th scope="col">时效</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id}>
                  <td>
                    <a href={`#/task/${encodeURIComponent(t.id)}`}>
                      {TASK_KIND[t.kind] ?? t.kind}
                      {t.round ? `（第 ${t.round} 轮）` : ''}
                    </a>
                  </td>
                  <td>
                    <code>{t.caseId}</code>
                  </td>
                  <td>{(t.services as string[]).length} 项</td>
                  <td>{when(t.dueAt)}</td>
                  <td>{flags(t)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  );
}

function TaskDetail({ api, taskId }: { api: ApiClient; taskId: string }) {
  const [t, setT] = useState<Json | undefined>();
  const [error, setError] = useState('');
  const [outcome, setOutcome] = useState('approve');
  const [opinion, setOpinion] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    api.GET('/v1/tasks/{taskId}', { params: { path: { taskId } } }).then(async (r) => {
      if (!r.data) return setError(describe(r.error));
      const task = r.data as Json;
      setT(task);
      // The task names its materials by type: their names are in the bundle's notice (一次告知,
      // all its services: a service alone may be no valid choice without its prerequisites).
      const guide = await api.GET('/v1/bundles/{bundleId}/guide', {
        params: { path: { bundleId: task.bundle.id as string } },
      });
      const g = (guide.data ?? {}) as Json;
      const listed = [...(g.materials ?? []), ...(g.notRequired ?? [])] as { type: string; name: string }[];
      setNames(Object.fromEntries(listed.map((m) => [m.type, m.name])));
    });
  }, [taskId]);
  if (error) return <Alert>{error}</Alert>;
  if (!t) return <Loading />;
  const form = Object.entries((t.form ?? {}) as Record<string, { title: string; value: unknown }>);
  const materials = ((t.materials ?? []) as Json[]).map(
    (m): Json => ({ ...m, name: m.name ?? names[m.type] }),
  );
  async function decide(e: Event) {
    e.preventDefault();
    const corrections = Object.entries(fields)
      .filter(([, m]) => m.trim())
      .map(([path, message]) => ({ path, message: message.trim() }));
    const r = await api.POST('/v1/tasks/{taskId}/decision', {
      params: { path: { taskId } },
      body: { outcome, opinion, ...(outcome === 'correct' ? { corrections } : {}) } as never,
    });
    if (r.data) setDone(`已提交：${TASK_STATUS[(r.data as Json).status] ?? (r.data as Json).status}`);
    else setError(describe(r.error));
  }
  return (
    <>
      <p>
        <a href="#/">← 返回待办</a>
      </p>
      <p>
        {t.bundle?.name} · {TASK_KIND[t.kind]} · 办件 <code>{t.caseId}</code> · 时限 {when(t.dueAt)}{' '}
        {flags(t)}
      </p>
      <h2>申请人</h2>
      <p>
        {t.case?.applicant?.name} {t.case?.applicant?.uscc ?? ''} {t.case?.applicant?.phone ?? ''}
      </p>
      {t.prerequisites?.length ? (
        <>
          <h2>前置事项结果</h2>
          <ul>
            {(t.prerequisites as Json[]).map((p) => (
              <li key={p.serviceId}>
                {p.name}：
                {Object.entries(p.result?.data ?? {})
                  .map(([k, v]) => `${k} ${v}`)
                  .join('，')}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>表单</h2>
      <Scroll label="表单">
        <table>
          <thead>
            <tr>
              <th scope="col">字段</th>
              <th scope="col">填报内容</th>
            </tr>
          </thead>
          <tbody>
            {form.map(([k, f]) => (
              <tr key={k}>
                <td>{f.title}</td>
                <td>{String(f.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <h2>材料</h2>
      <ul>
        {materials.map((m) => (
          <li key={m.type}>
            {m.name ?? m.type}
            {m.sharedData ? '（共享数据，自动调取）' : ''}
            {m.downloadUrl ? (
              <>
                {' '}
                <a href={m.downloadUrl} target="_blank" rel="noreferrer">
                  打开
                </a>
                {m.contentType === 'application/pdf' || !m.contentType ? (
                  <object
                    class="pdf"
                    data={m.downloadUrl}
                    type="application/pdf"
                    aria-label={`${m.name ?? m.type} 预览`}
                  >
                    <a href={m.downloadUrl}>下载 {m.name ?? m.type}</a>
                  </object>
                ) : null}
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {t.status !== 'pending' ? (
        <Note>该任务已处理：{TASK_STATUS[t.status]}</Note>
      ) : done ? (
        <p role="status" class="card">
          {done}
        </p>
      ) : (
        <form onSubmit={decide} class="card">
          <h2>办理决定</h2>
          <fieldset>
            <legend>决定</legend>
            {[
              ['approve', t.kind === 'acceptance' ? '予以受理' : '同意'],
              ['correct', '要求补正'],
              ['reject', t.kind === 'acceptance' ? '不予受理' : '不予许可'],
            ].map(([v, label]) => (
              <label class="check" key={v}>
                <input
                  type="radio"
                  name="outcome"
                  value={v}
                  checked={outcome === v}
                  onChange={() => setOutcome(v!)}
                />
                <span>{label}</span>
              </label>
            ))}
          </fieldset>
          {outcome === 'correct' ? (
            <fieldset>
              <legend>补正要求（逐项填写需要补正的字段或材料）</legend>
              {form.map(([k, f]) => (
                <div class="field" key={k}>
                  <label for={`c-${k}`}>{f.title}</label>
                  <input
                    id={`c-${k}`}
                    type="text"
                    value={fields[`/form/${k}`] ?? ''}
                    onInput={(e) =>
                      setFields((o) => ({ ...o, [`/form/${k}`]: (e.target as HTMLInputElement).value }))
                    }
                  />
                </div>
              ))}
              {materials
                .filter((m) => !m.sharedData)
                .map((m) => (
                  <div class="field" key={m.type}>
                    <label for={`c-m-${m.type}`}>材料：{m.name ?? m.type}</label>
                    <input
                      id={`c-m-${m.type}`}
                      type="text"
                      value={fields[`/materials/${m.type}`] ?? ''}
                      onInput={(e) =>
                        setFields((o) => ({
                          ...o,
                          [`/materials/${m.type}`]: (e.target as HTMLInputElement).value,
                        }))
                      }
                    />
                  </div>
                ))}
            </fieldset>
          ) : null}
          <div class="field">
            <label for="opinion">意见</label>
            <textarea
              id="opinion"
              class="wide"
              rows={2}
              value={opinion}
              onInput={(e) => setOpinion((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <button type="submit">提交决定</button>
        </form>
      )}
    </>
  );
}

function App({ config }: { config: WebConfig }) {
  const [login, setLogin] = useState<Login | undefined>(
    () => JSON.parse(sessionStorage.getItem(KEY) ?? 'null') ?? undefined,
  );
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => {
      setHash(location.hash);
      document.getElementById('main')?.focus();
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const taskId = hash.startsWith('#/task/') ? decodeURIComponent(hash.slice(7)) : undefined;
  const api = login ? departmentApi(config, login.token) : undefined;
  const name = config.demoDepartments?.find((d) => d.id === login?.departmentId)?.name ?? login?.departmentId;
  return (
    <Frame
      app="部门工作台"
      title={!login ? '登录' : taskId ? '任务办理' : `待办 · ${name}`}
      nav={
        login ? (
          <ul>
            <li>
              <a href="#/">待办</a>
            </li>
            <li>
              <button
                type="button"
                class="link"
                onClick={() => {
                  sessionStorage.removeItem(KEY);
                  setLogin(undefined);
                }}
              >
                退出（{name}）
              </button>
            </li>
          </ul>
        ) : undefined
      }
    >
      {!login || !api ? (
        <SignIn
          config={config}
          onLogin={(l) => {
            sessionStorage.setItem(KEY, JSON.stringify(l));
            setLogin(l);
          }}
        />
      ) : taskId ? (
        <TaskDetail api={api} taskId={taskId} key={taskId} />
      ) : (
        <Inbox api={api} login={login} />
      )}
    </Frame>
  );
}

loadConfig().then((config) => render(<App config={config} />, document.getElementById('app')!));
