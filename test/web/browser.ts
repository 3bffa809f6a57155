/**
 * A real browser for the web apps' tests: Debian's Chromium (/usr/bin/chromium; .ci/run installs
 * it) driven by playwright-core — `npx playwright install` cannot download browsers here. Each
 * screen is photographed into test-results/screens/ (git-ignored) and checked by axe-core (no
 * serious or critical violation); console errors and uncaught exceptions are collected.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { repoRoot } from '#local/lambda-registry.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENS = join(repoRoot, 'test-results', 'screens');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Problems {
  readonly console: string[];
  readonly accessibility: string[];
}

/** Collects the page's console errors and uncaught exceptions into `problems.console`. */
export function watch(page: Page, problems: Problems, label: string): Page {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(`${label}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.console.push(`${label}: uncaught ${e.message}`));
  return page;
}

let shot = 0;

/** A screenshot of the screen as it is, then axe-core's judgement of it (serious and critical only). */
export async function screen(page: Page, name: string, problems: Problems): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  shot += 1;
  await page.screenshot({
    path: join(SCREENS, `${String(shot).padStart(2, '0')}-${name}.png`),
    fullPage: true,
  });
  // Evaluated over the DevTools protocol, not as a <script>: a page's CSP (the identity provider's) allows no inline script.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe;
    interface Violation {
      id: string;
      impact?: string;
      help: string;
      nodes: { target: unknown[] }[];
    }
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  for (const v of violations) problems.accessibility.push(`${name}: ${v}`);
}

/** A picture of one part of a screen already checked by `screen` (for the README: the licenses alone, not the whole page). */
export async function detail(part: Locator, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await part.screenshot({ path: join(SCREENS, `detail-${name}.png`) });
}
