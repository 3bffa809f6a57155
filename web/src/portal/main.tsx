/**
 * The applicant portal (网上办事): sign in at the city's identity provider, choose a bundle and the
 * services wanted, read the one notice, fill the one form (prefilled with consent), upload the
 * materials, submit once; then follow the case, answer its one correction, download the licenses
 * (with a verification QR code), rate it, and see who looked at one's data.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import {
  type ApiClient,
  describe,
  licenseDataOf,
  portalApi,
  publicApi,
  type Schemas,
} from '../shared/api.ts';
import { loadConfig, type WebConfig } from '../shared/config.ts';
import { completeSignIn, currentSession, type Session, signIn, signOut } from '../shared/oidc.ts';
import { Alert, CASE_STATUS, EVENT, Frame, Loading, Note, Scroll, when } from '../shared/ui.tsx';
import { check, Field, type FormSchema, toFormValues, type Values } from './schema-form.tsx';
import { uploadMaterial } from './upload.ts';

// biome-ignore lint/suspicious/noExplicitAny: views of API answers
type Json = Record<string, any>;

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => {
      setHash(location.hash || '#/');
      document.getElementById('main')?.focus();
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { value?: T; error?: string; reload(): void } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setState({ value }),
      (e: Error) => live && setState({ error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

interface Ctx {
  config: WebConfig;
  session: Session | undefined;
  pub: ApiClient;
  api: ApiClient;
}

function SignInButton({ ctx, label = '登录' }: { ctx: Ctx; label?: string }) {
  return (
    <button type="button" onClick={() => void signIn(ctx.config, location.hash || '#/')}>
      {label}
    </button>
  );
}

function Bundles({ ctx }: { ctx: Ctx }) {
  const [audience, setAudience] = useState('');
  const list = useLoad(async () => (await ctx.pub.GET('/v1/bundles')).data as Json, []);
  if (list.error) return <Alert>{list.error}</Alert>;
  if (!list.value) return <Loading />;
  const items = (list.value.items as Json[]).filter((b) => !audience || b.audience === audience);
  return (
    <>
      <p>一次告知、一表申请、一套材料、一次提交：选择一件事，我们把要办的事项合在一起办。</p>
      <div class="field">
        <label for="audience">办事对象</label>
        <select
          id="audience"
          value={audience}
          onChange={(e) => setAudience((e.target as HTMLSelectElement).value)}
        >
          <option value="">全部</option>
          <option value="person">个人</option>
          <option value="organisation">企业</option>
        </select>
      </div>
      <ul class="cards" aria-label="一件事清单" style="list-style:none;padding:0">
        {items.map((b) => (
          <li class="card" key={b.id}>
            <h2>
              <a href={`#/bundle/${b.id}`}>{b.name}</a>
            </h2>
            <p class="muted">{b.summary}</p>
            <p>
              <span class="tag">{b.audience === 'organisation' ? '企业' : '个人'}</span>
              <span class="tag">牵头：{b.leadDepartment?.name}</span>
              <span class="tag">{b.services?.length} 个事项</span>
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}

function Guide({ ctx, bundleId }: { ctx: Ctx; bundleId: string }) {
  const bundle = useLoad(
    async () =>
      (await ctx.pub.GET('/v1/bundles/{bundleId}', { params: { path: { bundleId } } })).data as Json,
    [bundleId],
  );
  const [chosen, setChosen] = useState<string[] | undefined>();
  const services: Json[] = bundle.value?.services ?? [];
  const selected = chosen ?? services.map((s) => s.id as string);
  const guide = useLoad(async () => {
    if (!selected.length) return undefined;
    const r = await ctx.pub.GET('/v1/bundles/{bundleId}/guide', {
      params: { path: { bundleId }, query: { services: selected } as never },
    });
    if (!r.data) throw new Error(describe(r.error));
    return r.data as Json;
  }, [bundleId, selected.join(',')]);
  if (bundle.error) return <Alert>{bundle.error}</Alert>;
  if (!bundle.value) return <Loading />;
  const b = bundle.value;
  const g = guide.value;
  return (
    <>
      <p>{b.summary}</p>
      <fieldset>
        <legend>选择要办理的事项</legend>
        {services.map((s) => (
          <label class="check" key={s.id}>
            <input
              type="checkbox"
              name="service"
              value={s.id}
              checked={selected.includes(s.id)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setChosen(on ? [...selected, s.id] : selected.filter((x) => x !== s.id));
              }}
            />
            <span>
              {s.name}
              <span class="help">
                {s.departmentName} · 承诺 {s.timeLimit?.committedDays ?? s.timeLimitDays} 个工作日
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <h2>一次告知</h2>
      {guide.error ? <Alert>{guide.error}</Alert> : null}
      {!selected.length ? (
        <Note>请至少选择一个事项。</Note>
      ) : !g ? (
        <Loading />
      ) : (
        <div aria-live="polite">
          <p>
            全部办结承诺时限：<strong>{g.timeLimitDays} 个工作日</strong>（法定 {g.legalTimeLimitDays}{' '}
            个工作日）
          </p>
          <h3>需要提交的材料（{g.materials.length} 份，同一材料只交一次）</h3>
          <ul>
            {(g.materials as Json[]).map((m) => (
              <li key={m.type}>
                {m.name}
                {m.required ? '' : '（可选）'}
                {m.description ? <span class="help">{m.description}</span> : null}
              </li>
            ))}
          </ul>
          {g.notRequired?.length ? (
            <>
              <h3>无需提交（政府已持有）</h3>
              <ul>
                {(g.notRequired as Json[]).map((m) => (
                  <li key={m.type}>
                    {m.name}
                    <span class="help">{m.reason}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>办理条件</h3>
          <ul>
            {(g.conditions as string[]).map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <div class="actions">
            <a class="button" href={`#/apply/${bundleId}/${selected.join(',')}`}>
              已阅读，开始申请
            </a>
          </div>
        </div>
      )}
    </>
  );
}

function Apply({ ctx, bundleId, services }: { ctx: Ctx; bundleId: string; services: string[] }) {
  const loaded = useLoad(async () => {
    const q = { params: { path: { bundleId }, query: { services } as never } };
    const [form, guide, bundle] = await Promise.all([
      ctx.pub.GET('/v1/bundles/{bundleId}/form', q),
      ctx.pub.GET('/v1/bundles/{bundleId}/guide', q),
      ctx.pub.GET('/v1/bundles/{bundleId}', { params: { path: { bundleId } } }),
    ]);
    if (!form.data || !guide.data || !bundle.data) throw new Error('无法读取表单');
    return {
      schema: (form.data as Json).schema as FormSchema,
      guide: guide.data as Json,
      bundle: bundle.data as Json,
    };
  }, [bundleId, services.join(',')]);
  const [values, setValues] = useState<Values>({});
  const [phone, setPhone] = useState('');
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<string[]>([]);
  const [uploads, setUploads] = useState<
    Record<string, { progress: number; materialId?: string; error?: string; file?: string }>
  >({});
  const [prefill, setPrefill] = useState<Json | undefined>();
  const [consentFields, setConsentFields] = useState<string[] | undefined>();
  const [busy, setBusy] = useState(false);
  const session = ctx.session;

  if (!session)
    return (
      <>
        <Note>提交申请需要先通过统一身份认证登录。</Note>
        <SignInButton ctx={ctx} label="登录后申请" />
      </>
    );
  if (loaded.error) return <Alert>{loaded.error}</Alert>;
  if (!loaded.value) return <Loading />;
  const { schema, guide, bundle } = loaded.value;
  const required = new Set(schema.required ?? []);
  const prefillable = Object.entries(schema.properties)
    .filter(([, f]) => f['x-prefill'])
    .map(([k]) => k);
  const consent = consentFields ?? prefillable;
  const asOrganisation = bundle.audience === 'organisation';
  const applicantId = asOrganisation
    ? { kind: 'organisation' as const, uscc: session.organisation?.uscc ?? '' }
    : { kind: 'person' as const, idNumber: session.person.idNumber };
  const errorOf = (name: string) =>
    serverErrors[`/form/${name}`] ??
    (touched[name] ? check(schema.properties[name]!, values[name] ?? '', required.has(name)) : undefined);
  const materials = (guide.materials as Json[]).filter((m) => m.required || uploads[m.type]);

  async function askPrefill() {
    const r = await ctx.api.POST('/v1/prefill', {
      body: {
        bundleId,
        services,
        applicant: applicantId,
        consent: { fields: consent, expiresAt: new Date(Date.now() + 3600e3).toISOString() },
      } as never,
    });
    setPrefill(r.data ? (r.data as Json) : { error: describe(r.error) });
  }

  async function upload(type: string, file: File) {
    setUploads((u) => ({ ...u, [type]: { progress: 0, file: file.name } }));
    try {
      const done = await uploadMaterial(ctx.api, bundleId, type, file, (p) =>
        setUploads((u) => ({ ...u, [type]: { ...u[type], progress: p, file: file.name } })),
      );
      setUploads((u) => ({ ...u, [type]: { progress: 1, materialId: done.materialId, file: file.name } }));
    } catch (e) {
      setUploads((u) => ({ ...u, [type]: { progress: 0, error: (e as Error).message, file: file.name } }));
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setTouched(Object.fromEntries(Object.keys(schema.properties).map((k) => [k, true])));
    const applicant = asOrganisation
      ? {
          kind: 'organisation',
          name: session!.organisation?.name ?? '',
          uscc: session!.organisation?.uscc ?? '',
          phone,
        }
      : { kind: 'person', name: session!.person.name, idNumber: session!.person.idNumber, phone };
    const r = await ctx.api.POST('/v1/cases', {
      params: { header: { 'Idempotency-Key': crypto.randomUUID() } } as never,
      body: {
        bundleId,
        services,
        applicant,
        form: toFormValues(schema, values),
        materials: Object.entries(uploads)
          .filter(([, u]) => u.materialId)
          .map(([type, u]) => ({ type, materialId: u.materialId! })),
        delivery: { method: 'electronic' },
      } as never,
    });
    setBusy(false);
    if (r.data) {
      location.hash = `#/case/${(r.data as Json).id}`;
      return;
    }
    const problems = ((r.error as Json | undefined)?.errors ?? []) as { path: string; message: string }[];
    const byPath: Record<string, string> = {};
    for (const p of problems) byPath[p.path] = byPath[p.path] ? `${byPath[p.path]}；${p.message}` : p.message;
    setServerErrors(byPath);
    setSummary(problems.length ? problems.map((p) => `${p.path}：${p.message}`) : [describe(r.error)]);
    document.getElementById('problems')?.focus();
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>
        {bundle.name} · {services.length} 个事项 · 申请人：
        {asOrganisation ? session.organisation?.name : session.person.name}
      </p>
      {summary.length ? (
        <div role="alert" class="alert" id="problems" tabIndex={-1}>
          <strong>有 {summary.length} 处需要修改（已在对应位置标出）：</strong>
          <ul>
            {summary.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {prefillable.length ? (
        <section class="card" aria-labelledby="prefill-h">
          <h2 id="prefill-h">共享数据预填</h2>
          <p class="muted">
            经您授权，可从政府已有数据中调取以下信息（一小时内有效；调取记录可在“我的数据使用记录”中查看）。
          </p>
          <fieldset>
            <legend>授权调取的字段</legend>
            {prefillable.map((k) => (
              <label class="check" key={k}>
                <input
                  type="checkbox"
                  checked={consent.includes(k)}
                  onChange={(e) =>
                    setConsentFields(
                      (e.target as HTMLInputElement).checked
                        ? [...consent, k]
                        : consent.filter((x) => x !== k),
                    )
                  }
                />
                <span>{schema.properties[k]?.title ?? k}</span>
              </label>
            ))}
          </fieldset>
          <div class="actions">
            <button type="button" class="secondary" onClick={askPrefill} disabled={!consent.length}>
              同意授权并预览
            </button>
          </div>
          {prefill?.error ? <Alert>{prefill.error}</Alert> : null}
          {prefill?.form ? (
            <div aria-live="polite">
              <table>
                <caption class="sr-only">预填预览</caption>
                <thead>
                  <tr>
                    <th scope="col">字段</th>
                    <th scope="col">政府已有数据</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(prefill.form as Record<string, unknown>).map(([k, v]) => (
                    <tr key={k}>
                      <td>{schema.properties[k]?.title ?? k}</td>
                      <td>{String(v)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button
                type="button"
                onClick={() =>
                  setValues((old) => ({
                    ...old,
                    ...Object.fromEntries(
                      Object.entries(prefill.form as Json).map(([k, v]) => [k, String(v)]),
                    ),
                  }))
                }
              >
                填入表单
              </button>
            </div>
          ) : null}
        </section>
      ) : null}
      <h2>一张表单</h2>
      <div class="field">
        <label for="f-applicant-phone">
          申请人联系电话
          <span class="req" aria-hidden="true">
            {' '}
            *
          </span>
        </label>
        <input
          id="f-applicant-phone"
          type="tel"
          value={phone}
          required
          aria-invalid={serverErrors['/applicant/phone'] ? 'true' : undefined}
          aria-describedby={serverErrors['/applicant/phone'] ? 'f-applicant-phone-error' : undefined}
          onInput={(e) => setPhone((e.target as HTMLInputElement).value)}
        />
        {serverErrors['/applicant/phone'] ? (
          <span class="error" id="f-applicant-phone-error">
            {serverErrors['/applicant/phone']}
          </span>
        ) : null}
      </div>
      {Object.entries(schema.properties).map(([name, field]) => (
        <Field
          key={name}
          name={name}
          field={field}
          required={required.has(name)}
          value={values[name] ?? ''}
          error={errorOf(name)}
          onInput={(v) => {
            setValues((old) => ({ ...old, [name]: v }));
            setServerErrors(({ [`/form/${name}`]: _, ...rest }) => rest);
          }}
          onBlur={() => setTouched((t) => ({ ...t, [name]: true }))}
        />
      ))}
      <h2>一套材料</h2>
      {materials.map((m) => {
        const u = uploads[m.type];
        const err =
          u?.error ??
          Object.entries(serverErrors).find(([p]) => p.startsWith('/materials') && p.includes(m.type))?.[1];
        return (
          <div class="field" key={m.type}>
            <label for={`m-${m.type}`}>
              {m.name}
              {m.required ? (
                <span class="req" aria-hidden="true">
                  {' '}
                  *
                </span>
              ) : null}
            </label>
            <span class="help" id={`m-${m.type}-help`}>
              {m.description ? `${m.description}；` : ''}格式：{(m.accept as string[]).join('、')}，不超过{' '}
              {Math.round(m.maxBytes / 1048576)} MB
            </span>
            <input
              id={`m-${m.type}`}
              type="file"
              accept={(m.accept as string[]).join(',')}
              aria-describedby={`m-${m.type}-help${err ? ` m-${m.type}-error` : ''}`}
              onChange={(e) => {
                const f = (e.target as HTMLInputElement).files?.[0];
                if (f) void upload(m.type, f);
              }}
            />
            {u ? (
              <>
                <progress max={1} value={u.progress} aria-label={`${m.name} 上传进度`} />
                <span class="help" aria-live="polite">
                  {u.materialId
                    ? `已上传并校验：${u.file}`
                    : u.error
                      ? ''
                      : `上传中 ${Math.round(u.progress * 100)}%`}
                </span>
              </>
            ) : null}
            {err ? (
              <span class="error" id={`m-${m.type}-error`}>
                {err}
              </span>
            ) : null}
          </div>
        );
      })}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? '提交中…' : '一次提交'}
        </button>
      </div>
    </form>
  );
}

function Qr({ text, label }: { text: string; label: string }) {
  const [src, setSrc] = useState('');
  useEffect(() => {
    QRCode.toDataURL(text, { margin: 1, width: 320 }).then(setSrc, () => setSrc(''));
  }, [text]);
  return src ? <img class="qr" src={src} alt={label} /> : null;
}

const FINAL = new Set(['issued', 'rejected', 'withdrawn']);

function CaseView({ ctx, caseId }: { ctx: Ctx; caseId: string }) {
  const view = useLoad(async () => {
    const r = await ctx.api.GET('/v1/cases/{caseId}', { params: { path: { caseId } } });
    if (!r.data) throw new Error(describe(r.error));
    return r.data as Json;
  }, [caseId]);
  const c = view.value;
  // A case in progress changes without the applicant: look again every few seconds.
  useEffect(() => {
    if (!c || FINAL.has(c.status) || c.status === 'awaiting_correction') return;
    const t = setTimeout(view.reload, 1500);
    return () => clearTimeout(t);
  }, [c]);
  if (!ctx.session) return <SignInButton ctx={ctx} />;
  if (view.error) return <Alert>{view.error}</Alert>;
  if (!c) return <Loading />;
  return (
    <>
      <p>
        {c.bundleName} · 办件编号 <code>{c.id}</code>
      </p>
      <p class="card" aria-live="polite">
        当前状态：<strong data-status={c.status}>{CASE_STATUS[c.status] ?? c.status}</strong>
        <span class="help">承诺办结：{when(c.dueAt)}</span>
      </p>
      <h2>办理事项</h2>
      <ul>
        {(c.services as Json[]).map((s) => (
          <li key={s.id}>
            {s.name}：{s.result === 'approved' ? '已通过' : s.result === 'rejected' ? '未通过' : '办理中'}
          </li>
        ))}
      </ul>
      {c.status === 'awaiting_correction' && c.correction ? (
        <Correction ctx={ctx} c={c} onDone={view.reload} />
      ) : null}
      {c.refusal ? <Alert>不予办理：{c.refusal.opinion}</Alert> : null}
      {c.status === 'issued' ? <Licenses ctx={ctx} licenses={c.licenses as LicenseLink[]} /> : null}
      {FINAL.has(c.status) ? <Rating ctx={ctx} c={c} /> : null}
      <h2>办理进度</h2>
      <ol class="timeline">
        {(c.timeline as Json[]).map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <time dateTime={e.at}>{when(e.at)}</time>
            {EVENT[e.event] ?? e.event}
            {e.detail?.departmentId && e.detail.departmentId !== 'applicant'
              ? `（${e.detail.departmentId}）`
              : ''}
            {e.detail?.outcome
              ? ` · ${e.detail.outcome === 'approve' ? '通过' : e.detail.outcome === 'correct' ? '要求补正' : '驳回'}`
              : ''}
          </li>
        ))}
      </ol>
    </>
  );
}

/** One item of the consolidated correction request, as the case view gives it. */
interface CorrectionItem {
  readonly path?: string;
  readonly materialType?: string;
  readonly message: string;
  readonly departmentId?: string;
}

/** The form field or material an item names, if any (`/form/<field>`, `/materials/<type>…` or `materialType`). */
function target(i: CorrectionItem): { field?: string; material?: string } {
  if (i.path?.startsWith('/form/')) return { field: i.path.slice('/form/'.length).split('/')[0]! };
  if (i.path?.startsWith('/materials/')) return { material: i.path.split('/')[2]! };
  if (i.materialType) return { material: i.materialType };
  return {};
}

/**
 * 一次性补正: every department's request in one, answered once with form values and materials
 * (all a supplement takes). An item that names no field or material (a department's opinion
 * only) lets the applicant choose which form fields to change and which materials to supply.
 */
function Correction({ ctx, c, onDone }: { ctx: Ctx; c: Json; onDone: () => void }) {
  const loaded = useLoad(async () => {
    const services = (c.services as Json[]).map((s) => s.id as string);
    const q = { params: { path: { bundleId: c.bundleId as string }, query: { services } as never } };
    const [form, guide] = await Promise.all([
      ctx.pub.GET('/v1/bundles/{bundleId}/form', q),
      ctx.pub.GET('/v1/bundles/{bundleId}/guide', q),
    ]);
    if (!form.data || !guide.data) throw new Error('无法读取表单');
    return {
      schema: (form.data as Json).schema as FormSchema,
      materials: (guide.data as Json).materials as { type: string; name: string; accept: string[] }[],
    };
  }, [c.id]);
  const [values, setValues] = useState<Values>({});
  const [files, setFiles] = useState<
    Record<string, { progress: number; materialId?: string; error?: string }>
  >({});
  const [chosenFields, setChosenFields] = useState<string[]>([]);
  const [chosenMaterials, setChosenMaterials] = useState<string[]>([]);
  const [error, setError] = useState('');
  const items = c.correction.items as CorrectionItem[];
  const open = items.filter((i) => !target(i).field && !target(i).material);
  const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))];
  const fields = unique([...items.map((i) => target(i).field), ...chosenFields]);
  const materialTypes = unique([...items.map((i) => target(i).material), ...chosenMaterials]);
  if (loaded.error) return <Alert>{loaded.error}</Alert>;
  if (!loaded.value) return <Loading />;
  const { schema, materials } = loaded.value;
  const materialName = (t: string) => materials.find((m) => m.type === t)?.name ?? t;

  async function send(e: Event) {
    e.preventDefault();
    setError('');
    const form = toFormValues(
      { ...schema, properties: Object.fromEntries(fields.map((f) => [f, schema.properties[f] ?? {}])) },
      values,
    );
    const r = await ctx.api.POST('/v1/cases/{caseId}/supplements', {
      params: { path: { caseId: c.id } },
      body: {
        form,
        materials: Object.entries(files)
          .filter(([, f]) => f.materialId)
          .map(([type, f]) => ({ type, materialId: f.materialId! })),
      },
    });
    if (r.error) setError(describe(r.error));
    else onDone();
  }
  return (
    <section class="card" aria-labelledby="corr-h">
      <h2 id="corr-h">一次性补正告知</h2>
      <p>以下各部门的补正要求已合并为一次，请一次补齐（截止 {when(c.correction.dueAt)}）：</p>
      <ul>
        {items.map((i) => {
          const t = target(i);
          return (
            <li key={`${i.path ?? i.materialType ?? ''}-${i.message}`}>
              {i.message}
              <span class="help">
                {t.field
                  ? `表单项：${schema.properties[t.field]?.title ?? t.field}`
                  : t.material
                    ? `材料：${materialName(t.material)}`
                    : '未指明表单项或材料'}
                {i.departmentId ? ` · ${i.departmentId}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
      {error ? <Alert>{error}</Alert> : null}
      <form onSubmit={send}>
        {open.length ? (
          <fieldset>
            <legend>未指明表单项或材料的要求</legend>
            <p class="help">
              补正只能修改表单内容或补交材料：请按部门意见选择要修改的表单项或要补交的材料，一并提交。
              如不清楚部门的要求，可拨打 12345 热线咨询。
            </p>
            <div class="field">
              <label for="c-add-field">修改其他表单项</label>
              <select
                id="c-add-field"
                value=""
                onChange={(e) => {
                  const v = (e.target as HTMLSelectElement).value;
                  if (v) setChosenFields((o) => [...o, v]);
                }}
              >
                <option value="">请选择…</option>
                {Object.entries(schema.properties)
                  .filter(([k]) => !fields.includes(k))
                  .map(([k, f]) => (
                    <option key={k} value={k}>
                      {f.title ?? k}
                    </option>
                  ))}
              </select>
            </div>
            <div class="field">
              <label for="c-add-material">补交其他材料</label>
              <select
                id="c-add-material"
                value=""
                onChange={(e) => {
                  const v = (e.target as HTMLSelectElement).value;
                  if (v) setChosenMaterials((o) => [...o, v]);
                }}
              >
                <option value="">请选择…</option>
                {materials
                  .filter((m) => !materialTypes.includes(m.type))
                  .map((m) => (
                    <option key={m.type} value={m.type}>
                      {m.name}
                    </option>
                  ))}
              </select>
            </div>
          </fieldset>
        ) : null}
        {fields.map((f) =>
          schema.properties[f] ? (
            <Field
              key={f}
              name={f}
              field={schema.properties[f]!}
              required
              value={values[f] ?? ''}
              onInput={(v) => setValues((o) => ({ ...o, [f]: v }))}
            />
          ) : null,
        )}
        {materialTypes.map((t) => (
          <div class="field" key={t}>
            <label for={`c-${t}`}>补交材料：{materialName(t)}</label>
            <input
              id={`c-${t}`}
              type="file"
              accept={materials.find((m) => m.type === t)?.accept.join(',')}
              onChange={async (e) => {
                const file = (e.target as HTMLInputElement).files?.[0];
                if (!file) return;
                try {
                  const done = await uploadMaterial(ctx.api, c.bundleId, t, file, (p) =>
                    setFiles((o) => ({ ...o, [t]: { progress: p } })),
                  );
                  setFiles((o) => ({ ...o, [t]: { progress: 1, materialId: done.materialId } }));
                } catch (err) {
                  setFiles((o) => ({ ...o, [t]: { progress: 0, error: (err as Error).message } }));
                }
              }}
            />
            {files[t] ? (
              <>
                <progress max={1} value={files[t]!.progress} aria-label={`${materialName(t)} 上传进度`} />
                <span class="help" aria-live="polite">
                  {files[t]!.materialId
                    ? '已上传并校验'
                    : files[t]!.error
                      ? files[t]!.error
                      : `上传中 ${Math.round(files[t]!.progress * 100)}%`}
                </span>
              </>
            ) : null}
          </div>
        ))}
        <div class="actions">
          <button type="submit">提交补正</button>
        </div>
      </form>
    </section>
  );
}

/**
 * The verification code (核验码) printed on a license: the data its document carries (the signed
 * JSON in `<script type="application/json" id="license-data">`) holds it, as the document prints
 * it; a license issued before the data was embedded has it in a data file of its own (`dataUrl`).
 * Verification needs it beside the license id.
 */
async function printedCode(l: { downloadUrl: string; dataUrl?: string }): Promise<string> {
  const r = await fetch(l.dataUrl ?? l.downloadUrl);
  if (!r.ok) throw new Error(`证照文件读取失败（${r.status}）`);
  const data = (l.dataUrl ? await r.json() : licenseDataOf(await r.text())) as
    | { verificationCode?: unknown }
    | undefined;
  if (typeof data?.verificationCode !== 'string') throw new Error('证照数据没有核验码');
  return data.verificationCode;
}

/** A license as the case view gives it (as GET /v1/cases/{id}/licenses does): with a short-lived link to its document. */
type LicenseLink = Schemas['LicenseList']['items'][number];

/** The case's licenses, from its view (the outcome and its licenses come in one read). */
function Licenses({ ctx, licenses }: { ctx: Ctx; licenses: LicenseLink[] }) {
  const list = useLoad(
    async () => Promise.all(licenses.map(async (l) => ({ ...l, code: await printedCode(l) }))),
    [licenses],
  );
  if (list.error) return <Alert>{list.error}</Alert>;
  if (!list.value) return <Loading />;
  return (
    <section aria-labelledby="lic-h">
      <h2 id="lic-h">证照（一窗出件）</h2>
      <div class="cards">
        {list.value.map((l) => {
          const verify = `${ctx.config.apiBase || location.origin}/v1/licenses/${encodeURIComponent(l.id)}/verification?code=${encodeURIComponent(l.code)}`;
          return (
            <div class="card" key={l.id}>
              <h3>{l.name}</h3>
              <p class="help">签发：{when(l.issuedAt)}</p>
              <p class="help">
                证照编号 <code>{l.id}</code> · 核验码 <code>{l.code}</code>
              </p>
              <p>
                <a href={l.downloadUrl} target="_blank" rel="noreferrer">
                  下载证照（{l.name}）
                </a>
              </p>
              <p>
                <a href={verify} target="_blank" rel="noreferrer">
                  核验链接
                </a>
              </p>
              <Qr text={verify} label={`${l.name} 的核验二维码`} />
            </div>
          );
        })}
      </div>
    </section>
  );
}

function Rating({ ctx, c }: { ctx: Ctx; c: Json }) {
  const caseId = c.id as string;
  const rating = useLoad(async () => {
    const r = await ctx.api.GET('/v1/cases/{caseId}/rating', { params: { path: { caseId } } });
    if (!r.data) throw new Error(describe(r.error));
    return r.data;
  }, [caseId]);
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState('');
  const [error, setError] = useState('');
  if (rating.error) return <Alert>{rating.error}</Alert>;
  const r = rating.value;
  if (!r || (!r.rated && !r.ratable)) return null;
  async function send(e: Event) {
    e.preventDefault();
    setError('');
    const answer = await ctx.api.POST('/v1/cases/{caseId}/rating', {
      params: { path: { caseId }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      body: { overall: score, departments: [], ...(comment ? { comment } : {}) },
    });
    if (answer.error) setError(describe(answer.error));
    else setDone('感谢您的评价！');
  }
  return (
    <section class="card" aria-labelledby="rate-h">
      <h2 id="rate-h">好差评</h2>
      {done ? (
        <p role="status">{done}</p>
      ) : r.rated ? (
        <p>
          您的评价：<strong>{r.overallLabel}</strong>
          {r.comment ? `（${r.comment}）` : ''}
        </p>
      ) : (
        <form onSubmit={send}>
          {error ? <Alert>{error}</Alert> : null}
          <fieldset>
            <legend>您对本次办理的总体评价</legend>
            <div class="stars">
              {r.scale.map((s) => (
                <label class="check" key={s.score}>
                  <input
                    type="radio"
                    name="score"
                    value={s.score}
                    checked={score === s.score}
                    onChange={() => setScore(s.score)}
                  />
                  <span>{s.label}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <div class="field">
            <label for="comment">意见建议（选填）</label>
            <textarea
              id="comment"
              class="wide"
              rows={2}
              maxLength={1000}
              value={comment}
              onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <button type="submit" disabled={!score}>
            提交评价
          </button>
        </form>
      )}
    </section>
  );
}

/** One page of the signed-in applicant's own items (their cases, their access log), reloaded on sign-in. */
function useMyItems(ctx: Ctx, load: () => Promise<{ data?: unknown; error?: unknown }>) {
  return useLoad(async () => {
    if (!ctx.session) return undefined;
    const r = await load();
    if (!r.data) throw new Error(describe(r.error));
    return (r.data as Json).items as Json[];
  }, [ctx.session?.accessToken]);
}

function MyCases({ ctx }: { ctx: Ctx }) {
  const list = useMyItems(ctx, () => ctx.api.GET('/v1/cases'));
  if (!ctx.session) return <SignInButton ctx={ctx} />;
  if (list.error) return <Alert>{list.error}</Alert>;
  if (!list.value) return <Loading />;
  if (!list.value.length) return <p>还没有办件。</p>;
  return (
    <ul>
      {list.value.map((c) => (
        <li key={c.id}>
          <a href={`#/case/${c.id}`}>{c.bundleId}</a> · {CASE_STATUS[c.status] ?? c.status} ·{' '}
          {when(c.createdAt)}
        </li>
      ))}
    </ul>
  );
}

function AccessLog({ ctx }: { ctx: Ctx }) {
  const list = useMyItems(ctx, () => ctx.api.GET('/v1/me/access-log'));
  if (!ctx.session) return <SignInButton ctx={ctx} />;
  if (list.error) return <Alert>{list.error}</Alert>;
  if (!list.value) return <Loading />;
  return (
    <>
      <p>谁在什么时候、为什么查看或调取了您的数据。</p>
      <Scroll label="数据使用记录">
        <table>
          <thead>
            <tr>
              <th scope="col">时间</th>
              <th scope="col">访问方</th>
              <th scope="col">用途</th>
            </tr>
          </thead>
          <tbody>
            {list.value.map((e, i) => (
              <tr key={`${e.at}-${i}`}>
                <td>{when(e.at)}</td>
                <td>
                  {e.actor.kind === 'department' ? '部门' : '门户'} {e.actor.id}
                </td>
                <td>{e.purpose}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  );
}

function App({ config, initialError }: { config: WebConfig; initialError?: string }) {
  const hash = useHash();
  const [session, setSession] = useState(currentSession());
  const ctx = useMemo<Ctx>(
    () => ({ config, session, pub: publicApi(config), api: portalApi(config, session?.accessToken) }),
    [config, session],
  );
  const [, route = '', a = '', b = ''] = hash.split('/');
  const page =
    route === 'bundle'
      ? { title: '一次告知', body: <Guide ctx={ctx} bundleId={a} /> }
      : route === 'apply'
        ? {
            title: '一表申请',
            body: <Apply ctx={ctx} bundleId={a} services={b.split(',').filter(Boolean)} />,
          }
        : route === 'case'
          ? { title: '办件详情', body: <CaseView ctx={ctx} caseId={decodeURIComponent(a)} /> }
          : route === 'cases'
            ? { title: '我的办件', body: <MyCases ctx={ctx} /> }
            : route === 'access-log'
              ? { title: '我的数据使用记录', body: <AccessLog ctx={ctx} /> }
              : { title: '一件事一次办', body: <Bundles ctx={ctx} /> };
  useEffect(() => {
    document.title = `${page.title} · 网上办事`;
  }, [page.title]);
  return (
    <Frame
      app="网上办事"
      title={page.title}
      nav={
        <ul>
          <li>
            <a href="#/">一件事清单</a>
          </li>
          <li>
            <a href="#/cases">我的办件</a>
          </li>
          <li>
            <a href="#/access-log">数据使用记录</a>
          </li>
          <li>
            {session ? (
              <button
                type="button"
                class="link"
                onClick={() => {
                  signOut();
                  setSession(undefined);
                }}
              >
                退出（{session.organisation?.name ?? session.person.name}）
              </button>
            ) : (
              <button type="button" class="link" onClick={() => void signIn(config, location.hash || '#/')}>
                登录
              </button>
            )}
          </li>
        </ul>
      }
    >
      {initialError ? <Alert>{initialError}</Alert> : null}
      {page.body}
    </Frame>
  );
}

async function main() {
  const root = document.getElementById('app')!;
  const config = await loadConfig();
  let initialError: string | undefined;
  try {
    const returnTo = await completeSignIn(config);
    if (returnTo) location.hash = returnTo;
  } catch (e) {
    initialError = (e as Error).message;
  }
  render(<App config={config} {...(initialError ? { initialError } : {})} />, root);
}

void main();
