/**
 * The local identity provider's pages: sign-in (choose a demo applicant and how they verify),
 * consent for a client that is not the city's own, the page a portal-less sign-in lands on, and
 * errors. Server-rendered, plain HTML forms: they work without JavaScript, with a keyboard and a
 * screen reader (labels, fieldsets, language), and a browser-based portal can send people here.
 */
import type { DemoApplicant } from './demo-applicants.ts';

export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — 统一身份认证（本地演示）</title>
<style>
  body { font: 16px/1.6 system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
  h1 { font-size: 1.5rem; }
  .note { background: #fff4ce; border-left: 4px solid #b58900; padding: .5rem 1rem; }
  fieldset { border: 1px solid #888; border-radius: 4px; margin: 1rem 0; padding: .5rem 1rem; }
  legend { font-weight: 600; padding: 0 .25rem; }
  label { display: block; padding: .35rem 0; cursor: pointer; }
  .hint { color: #555; font-size: .9rem; margin-left: 1.6rem; display: block; }
  button { font: inherit; padding: .5rem 1.5rem; border-radius: 4px; border: 2px solid #0b5394; background: #0b5394; color: #fff; cursor: pointer; }
  button.secondary, a.secondary { background: #fff; color: #0b5394; }
  a.secondary { border: 2px solid #0b5394; border-radius: 4px; padding: .5rem 1.5rem; text-decoration: none; margin-left: 1rem; }
  :focus-visible { outline: 3px solid #e69138; outline-offset: 2px; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export interface LoginPageInput {
  readonly uid: string;
  readonly clientName: string;
  readonly applicants: readonly DemoApplicant[];
  /** Pre-selects face verification when the client asked for assurance level 3. */
  readonly wantsFace: boolean;
  readonly error?: string;
}

export function loginPage(input: LoginPageInput): string {
  const options = input.applicants
    .map((a, i) => {
      const who =
        a.kind === 'person'
          ? `${a.name}（个人）`
          : `${a.name}（企业，${a.person.name} 以${a.organisation?.role === 'legal_representative' ? '法定代表人' : '经办人'}身份登录）`;
      const id = `applicant-${i}`;
      return `<label for="${id}"><input type="radio" id="${id}" name="applicant" value="${escapeHtml(a.id)}"${i === 0 ? ' checked' : ''} required> ${escapeHtml(who)}<span class="hint">${escapeHtml(a.id)}</span></label>`;
    })
    .join('\n');
  const error = input.error ? `<p role="alert" class="note">${escapeHtml(input.error)}</p>` : '';
  return layout(
    '登录',
    `<h1>统一身份认证 · 登录</h1>
<p class="note">本地演示身份提供方：选择一个演示申请人即可登录，不需要密码。仅用于开发和测试。</p>
<p>正在为 <strong>${escapeHtml(input.clientName)}</strong> 登录。</p>
${error}
<form method="post" action="/interaction/${escapeHtml(input.uid)}/login">
<fieldset>
<legend>选择申请人</legend>
${options}
</fieldset>
<fieldset>
<legend>核验方式</legend>
<label for="method-2"><input type="radio" id="method-2" name="method" value="2"${input.wantsFace ? '' : ' checked'}> 实名核验（姓名、身份证号与人口库比对，短信验证码）<span class="hint">身份核验等级 2</span></label>
<label for="method-3"><input type="radio" id="method-3" name="method" value="3"${input.wantsFace ? ' checked' : ''}> 人脸识别<span class="hint">身份核验等级 3</span></label>
</fieldset>
<button type="submit">登录</button>
<a class="secondary" href="/interaction/${escapeHtml(input.uid)}/abort">取消</a>
</form>`,
  );
}

export interface ConsentPageInput {
  readonly uid: string;
  readonly clientName: string;
  readonly applicantName: string;
  readonly claims: readonly string[];
}

export function consentPage(input: ConsentPageInput): string {
  const items = input.claims.map((c) => `<li>${escapeHtml(c)}</li>`).join('');
  return layout(
    '授权',
    `<h1>授权 ${escapeHtml(input.clientName)} 使用您的身份信息</h1>
<p>${escapeHtml(input.applicantName)}，<strong>${escapeHtml(input.clientName)}</strong> 请求获取：</p>
<ul>${items}</ul>
<form method="post" action="/interaction/${escapeHtml(input.uid)}/confirm">
<button type="submit">同意</button>
<a class="secondary" href="/interaction/${escapeHtml(input.uid)}/abort">拒绝</a>
</form>`,
  );
}

export function signedInPage(params: URLSearchParams): string {
  const error = params.get('error');
  return layout(
    error ? '登录未完成' : '登录完成',
    error
      ? `<h1>登录未完成</h1><p role="alert">${escapeHtml(params.get('error_description') ?? error)}</p>`
      : `<h1>登录完成</h1><p>授权码已签发。门户应用会用它（和 PKCE 的 code_verifier）到令牌端点换取访问令牌；这一页只在没有门户时出现，可以关闭。</p>
<p>命令行取令牌：<code>npm run applicant-token -- &lt;申请人&gt;</code></p>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>`);
}
