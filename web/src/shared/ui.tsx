/** Pieces every app uses: the page frame, notices, dates and the status names in Chinese. */
import type { ComponentChildren } from 'preact';
import './style.css';

export function Frame(props: {
  title: string;
  app: string;
  nav?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <>
      <a class="skip" href="#main">
        跳到正文
      </a>
      <header class="top">
        <div class="brand">
          <span aria-hidden="true">◆</span> 一件事一次办 · {props.app}
        </div>
        {props.nav ? <nav aria-label="主导航">{props.nav}</nav> : null}
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </>
  );
}

export const Alert = (props: { children: ComponentChildren }) => (
  <p role="alert" class="alert">
    {props.children}
  </p>
);

/**
 * A wide table's horizontally scrolling box: a named region that takes the keyboard focus, so
 * arrow keys can scroll it (WCAG 2.1.1; axe-core's scrollable-region-focusable).
 */
export const Scroll = (props: { label: string; children: ComponentChildren }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to be scrolled by it
  <section class="scroll" aria-label={props.label} tabIndex={0}>
    {props.children}
  </section>
);

export const Note = (props: { children: ComponentChildren }) => <p class="note">{props.children}</p>;

export const Loading = () => (
  <p class="muted" aria-live="polite">
    加载中…
  </p>
);

export const when = (iso: string | undefined) =>
  iso
    ? new Date(iso).toLocaleString('zh-CN', {
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
    : '—';

export const CASE_STATUS: Record<string, string> = {
  submitted: '已提交，待受理',
  in_review: '审批中',
  awaiting_correction: '待补正',
  issued: '已办结，证照已发放',
  rejected: '不予受理／不予许可',
  withdrawn: '已撤回',
};

export const TASK_STATUS: Record<string, string> = {
  pending: '待办',
  approved: '已通过',
  rejected: '已驳回',
  correction_requested: '已要求补正',
  cancelled: '已取消',
  expired: '已超时',
};

export const TASK_KIND: Record<string, string> = {
  acceptance: '受理',
  review: '审批',
  supplement: '补正',
};

export const EVENT: Record<string, string> = {
  submitted: '提交申请',
  acceptance_task_opened: '待受理',
  acceptance_decided: '受理决定',
  accepted: '已受理',
  review_task_opened: '部门审批开始',
  review_decided: '部门审批决定',
  results_recorded: '办理结果登记',
  correction_requested: '一次性告知补正',
  supplement_task_opened: '等待补正',
  supplemented: '已补正',
  merged: '审批结果汇总',
  issued: '证照发放',
  rejected: '不予办理',
  withdrawn: '已撤回',
  rated: '已评价',
};
