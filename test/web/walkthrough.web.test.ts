/**
 * The web apps in a real browser (Chromium via playwright-core), against the local stack the test
 * run started: an enterprise signs in at the identity provider (code + PKCE), chooses 企业开办 and
 * three of its services, reads the one notice, prefills the form with consent, submits once with
 * mistakes (every problem shown beside its field), uploads the materials with progress and submits;
 * the lead department accepts in the workbench; the departments review in stages, the police ask
 * for one correction; the applicant answers it once; the police approve; the case is issued, its
 * licenses shown with a verification QR code; the applicant rates it and reads the access log; the
 * supervisor opens the dashboard. Every screen is photographed and checked by axe-core.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureWebBuild } from '#local/web-build.ts';
import { detail, launch, type Problems, SCREENS, screen, watch } from './browser.ts';

const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration', 'company-seal-filing', 'bank-account-booking'];
const APPLICANT = 'qingguoxiang-catering';
const base = inject('baseUrl');
const problems: Problems = { console: [], accessibility: [] };
let browser: Browser;

/** A one-page PDF of a few hundred bytes. */
const pdf = (label: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n% ${label}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );

beforeAll(async () => {
  rmSync(SCREENS, { recursive: true, force: true }); // this run's screens only
  await ensureWebBuild();
  browser = await launch();
}, 120_000);

afterAll(async () => {
  // On a failure, what the pages said helps most.
  if (problems.console.length) process.stderr.write(`browser console:\n${problems.console.join('\n')}\n`);
  await browser?.close();
});

/** A department's browser tab, signed in to the workbench with its demo credential. */
async function workbench(departmentId: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'zh-CN' });
  const page = watch(await context.newPage(), problems, `workbench ${departmentId}`);
  await page.goto(`${base}/workbench`);
  await page.getByLabel('演示部门（仅本地模式）').selectOption(departmentId);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('heading', { name: /^待办/ }).waitFor();
  return page;
}

/** Opens the department's pending task of the case (of this kind and round), waiting until it is there. */
async function openTask(page: Page, caseId: string, kind: '受理' | '审批', round = 0): Promise<void> {
  const name = round ? `${kind}（第 ${round} 轮）` : kind;
  const row = page.locator('tr', { hasText: caseId }).getByRole('link', { name, exact: true });
  for (let attempt = 0; ; attempt++) {
    await page.getByRole('button', { name: '刷新' }).click();
    try {
      await row.waitFor({ timeout: 1000 });
      break;
    } catch (err) {
      if (attempt > 40) throw err;
    }
  }
  await row.click();
  await page.getByRole('heading', { name: '办理决定' }).waitFor();
}

async function decide(page: Page, outcome: '予以受理' | '同意' | '要求补正', opinion: string) {
  await page.getByLabel(outcome, { exact: true }).check();
  await page.getByLabel('意见').fill(opinion);
  await page.getByRole('button', { name: '提交决定' }).click();
  await page.getByRole('status').filter({ hasText: '已提交' }).waitFor();
}

/** Waits until the applicant's case page says the case is in `status` (it looks again by itself while in progress). */
async function caseStatus(page: Page, status: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await page.locator(`[data-status="${status}"]`).waitFor({ timeout: 2000 });
      return;
    } catch (err) {
      if (attempt > 20) throw err;
      await page.reload(); // a case awaiting correction is not looked at again by itself
    }
  }
}

describe('the web apps in a real browser', () => {
  it('take one case from sign-in to issued licenses, a rating and the dashboard', async () => {
    // The applicant, on a phone-sized screen (most applicants come from an app or a mini-program).
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const me = watch(await phone.newPage(), problems, 'portal');
    await me.goto(`${base}/`);
    await me.getByRole('link', { name: '企业开办', exact: true }).waitFor();
    await screen(me, 'portal-bundles', problems);

    // 一次告知 for three of the six services.
    await me.getByRole('link', { name: '企业开办', exact: true }).click();
    await me.getByRole('heading', { name: '一次告知', level: 2 }).waitFor();
    for (const name of ['发票票种核定及申领', '企业社会保险登记', '住房公积金单位登记开户'])
      await me.getByRole('checkbox', { name: new RegExp(`^${name}`) }).uncheck();
    await me.getByRole('link', { name: '已阅读，开始申请' }).waitFor();
    await screen(me, 'portal-guide', problems);
    await me.getByRole('link', { name: '已阅读，开始申请' }).click();
    expect(decodeURIComponent(new URL(me.url()).hash)).toBe(`#/apply/${BUNDLE}/${SERVICES.join(',')}`);

    // 统一身份认证: the provider's own sign-in page, then back with a code exchanged under PKCE.
    await me.getByRole('button', { name: '登录后申请' }).click();
    await me.waitForURL(/\/interaction\//);
    await screen(me, 'identity-sign-in', problems);
    await me.locator(`input[name="applicant"][value="${APPLICANT}"]`).check();
    await me.getByRole('button', { name: '登录' }).click();
    await me.getByRole('heading', { name: '一张表单' }).waitFor();
    expect(new URL(me.url()).search).toBe(''); // the code is gone from the address bar

    // 共享数据: previewed with consent, then put into the form.
    await me.getByRole('button', { name: '同意授权并预览' }).click();
    await me.getByRole('table', { name: '预填预览' }).waitFor();
    await me.getByRole('button', { name: '填入表单' }).click();
    await expect.poll(() => me.locator('#f-enterpriseName').inputValue()).toBe('常州青果巷餐饮管理有限公司');
    await screen(me, 'portal-prefill', problems);

    // The rest of the form from the schema's own examples, but one phone number wrong and no materials yet.
    const form = (await (
      await fetch(`${base}/v1/bundles/${BUNDLE}/form?services=${SERVICES.join(',')}`)
    ).json()) as { schema: { properties: Record<string, { enum?: string[]; examples: unknown[] }> } };
    for (const [name, field] of Object.entries(form.schema.properties)) {
      const input = me.locator(`#f-${name}`);
      if ((await input.inputValue()) !== '') continue; // prefilled
      if (field.enum) await input.selectOption(String(field.examples[0]));
      else await input.fill(String(field.examples[0]));
    }
    await me.locator('#f-contactPhone').fill('123');
    await me.getByLabel('申请人联系电话').fill('13812345678');
    await me.getByRole('button', { name: '一次提交' }).click();
    const alert = me.locator('#problems');
    await alert.waitFor();
    await expect
      .poll(() => me.locator('#f-contactPhone-error').textContent())
      .toMatch(/contactPhone|联系电话/);
    expect(await me.locator('#f-contactPhone').getAttribute('aria-invalid')).toBe('true');
    // Every missing material is listed in the same answer.
    expect(await alert.textContent()).toMatch(/有 \d+ 处需要修改/);
    expect(
      (await alert.locator('li').allTextContents()).filter((t) => t.startsWith('/materials')).length,
    ).toBeGreaterThan(1);
    await screen(me, 'portal-problems', problems);

    // 一套材料: each straight to S3 with a progress bar, then checked by the API.
    const files = me.locator('input[type="file"]');
    const count = await files.count();
    expect(count).toBeGreaterThan(1);
    for (let i = 0; i < count; i++)
      await files.nth(i).setInputFiles({
        name: `m${i}.pdf`,
        mimeType: 'application/pdf',
        buffer: pdf(`${i}-${randomUUID()}`),
      });
    await expect.poll(() => me.getByText(/^已上传并校验/).count(), { timeout: 20_000 }).toBe(count);
    await me.locator('#f-contactPhone').fill('13812345678');
    await screen(me, 'portal-uploads', problems);
    await me.getByRole('button', { name: '一次提交' }).click();
    await me.waitForURL(/#\/case\//);
    const caseId = decodeURIComponent(new URL(me.url()).hash.slice('#/case/'.length));
    await me.locator('[data-status]').waitFor();
    await screen(me, 'portal-case-submitted', problems);

    // 受理 by the lead department in the workbench.
    const lead = await workbench('market-regulation');
    await screen(lead, 'workbench-inbox', problems);
    await openTask(lead, caseId, '受理');
    await screen(lead, 'workbench-task', problems);
    await decide(lead, '予以受理', '材料齐全，予以受理');

    // Staged review: 企业设立登记 first, then the police and the bank at once; the police ask a correction.
    await lead.goto(`${base}/workbench#/`);
    await openTask(lead, caseId, '审批');
    await decide(lead, '同意', '同意');
    const police = await workbench('public-security');
    await openTask(police, caseId, '审批');
    await police.getByLabel('要求补正', { exact: true }).check();
    await police.getByLabel('刻制印章数量（枚）').fill('请确认印章数量');
    await screen(police, 'workbench-correction', problems);
    await decide(police, '要求补正', '印章信息不全');
    // The bank asks with its opinion only: an item naming no field or material.
    const bank = await workbench('pboc-changzhou');
    await openTask(bank, caseId, '审批');
    await decide(bank, '要求补正', '请补充全体股东签署的公司章程');

    // 补正: the one combined request, answered once.
    await caseStatus(me, 'awaiting_correction');
    await me.getByRole('heading', { name: '一次性补正告知' }).waitFor();
    await me.getByText('请确认印章数量').waitFor();
    await me.getByText('请补充全体股东签署的公司章程').waitFor();
    await me.locator('#f-sealCount').fill('2');
    // For the bank's item the applicant chooses what to supply (a supplement takes form values and materials).
    await me.getByLabel('补交其他材料').selectOption({ label: '公司章程' });
    await me.getByLabel('补交材料：公司章程').setInputFiles({
      name: 'articles.pdf',
      mimeType: 'application/pdf',
      buffer: pdf(`articles-${randomUUID()}`),
    });
    await me.getByText('已上传并校验', { exact: true }).waitFor();
    await screen(me, 'portal-correction', problems);
    await me.getByRole('button', { name: '提交补正' }).click();
    await caseStatus(me, 'in_review');

    // Only the police and the bank review again; the bank sees the articles it asked for.
    await police.goto(`${base}/workbench#/`);
    await openTask(police, caseId, '审批', 1);
    await decide(police, '同意', '已补正，同意');
    await bank.goto(`${base}/workbench#/`);
    await openTask(bank, caseId, '审批', 1);
    await bank
      .getByRole('listitem')
      .filter({ hasText: /^公司章程/ })
      .waitFor();
    await screen(bank, 'workbench-supplemented', problems);
    await decide(bank, '同意', '已补充章程，同意');

    // 一窗出件: issued, each license with its verification link and QR code.
    await caseStatus(me, 'issued');
    await me.getByRole('heading', { name: '证照（一窗出件）' }).waitFor();
    await expect.poll(() => me.getByRole('img', { name: /核验二维码$/ }).count()).toBe(SERVICES.length);
    // The link carries what the license prints: its id and verification code (核验码).
    const links = await me
      .getByRole('link', { name: '核验链接' })
      .evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    expect(links).toHaveLength(SERVICES.length);
    for (const link of links) {
      expect(new URL(link).searchParams.get('code')).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      const answer = await fetch(link);
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { valid: boolean }).valid).toBe(true);
    }
    // Without the code the id verifies nothing (the link is not just the id).
    const bare = new URL(links[0]!);
    bare.search = '';
    expect((await fetch(bare)).status).toBe(404);
    await screen(me, 'portal-issued', problems);
    await detail(
      me.getByRole('region', { name: '证照（一窗出件）' }).locator('.card').last(),
      'portal-license',
    );

    // 好差评: once, on the national five-level scale; the case page then shows it.
    await me.getByRole('heading', { name: '好差评' }).waitFor();
    await me.getByLabel('满意', { exact: true }).check();
    await me.getByRole('button', { name: '提交评价' }).click();
    await me.getByRole('status').filter({ hasText: '感谢您的评价' }).waitFor();
    await screen(me, 'portal-rated', problems);
    await me.reload();
    await me.getByText('您的评价：').waitFor();
    expect(await me.getByRole('button', { name: '提交评价' }).count()).toBe(0);

    // Who looked at the applicant's data: the prefill, the departments' reads.
    await me.goto(`${base}/#/access-log`);
    await me
      .getByRole('cell', { name: /部门 market-regulation/ })
      .first()
      .waitFor();
    await screen(me, 'portal-access-log', problems);

    // 电子监察.
    const supervision = watch(
      await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage(),
      problems,
      'supervision',
    );
    await supervision.goto(`${base}/supervision`);
    await supervision.getByRole('button', { name: '使用演示监察账号（仅本地模式）' }).click();
    await supervision.getByRole('heading', { name: '按部门' }).waitFor();
    await supervision.getByRole('heading', { name: '考核指标' }).waitFor();
    // GET /v1/statistics counts this case (and any other of the run): at least one issued.
    const applied = supervision.locator('.kpi', { hasText: '申请件数' }).locator('strong');
    await applied.waitFor();
    expect(Number(await applied.textContent())).toBeGreaterThanOrEqual(1);
    await supervision.getByRole('img', { name: '各一件事：申请与办结件数' }).waitFor();
    await supervision.getByRole('cell', { name: '企业开办', exact: true }).waitFor();
    await screen(supervision, 'supervision-dashboard', problems);

    expect(problems.accessibility).toEqual([]);
    // The one deliberate mistake's 422 is the browser's only complaint.
    const deliberate = /status of 422 .*\/v1\/cases\)$/;
    expect(problems.console.filter((m) => !deliberate.test(m))).toEqual([]);
  }, 240_000);
});
