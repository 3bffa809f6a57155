/**
 * `npm start -- --persist`: the local runtime killed outright (SIGKILL, no cleanup) and started
 * again keeps cases and pending tasks; the applicant still follows progress and the departments
 * finish the case. Runs its own stack in a child process, as a user would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/emulators/ports.ts';
import { repoRoot } from '../../local/lambda-registry.ts';
import { newIdNumber, pdfBytes } from './portal.ts';
import { isLocalTarget } from './target.ts';

const dir = mkdtempSync(join(tmpdir(), 'yjs-restart-'));
let child: ChildProcess | undefined;

async function startStack(port: number): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--persist', join(dir, 'data')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), LOCAL_DIR: dir, CITY: 'changzhou', LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can kill it whole
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start in 60 s:\n${out}`)), 60_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready in')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child!.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child!.once('exit', (code) => reject(new Error(`the stack exited (${code}):\n${out}`)));
  });
}

function killHard(): Promise<void> {
  const c = child!;
  return new Promise((resolve) => {
    c.once('exit', () => resolve());
    process.kill(-c.pid!, 'SIGKILL');
  });
}

afterAll(async () => {
  if (child && child.exitCode === null) await killHard().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

// Local only: it starts, kills and restarts its own `npm start` process on this machine; a deployed
// target (LocalStack, AWS) has no process to kill, and its durability is the services' own.
describe.skipIf(!isLocalTarget())('the local runtime with --persist', () => {
  it('keeps cases and pending tasks across a hard kill and lets them finish', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    await startStack(port);
    const creds = () => JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
    const http = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      // biome-ignore lint/suspicious/noExplicitAny: black-box test reads arbitrary JSON
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean) => {
      for (let i = 0; i < 400; i++) {
        const v = await read();
        if (ok(v)) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('condition not reached');
    };
    const SERVICE = 'enterprise-establishment-registration';
    const portal = () => ({ 'x-api-key': creds().portals[0].apiKey });
    const dept = (id: string) => ({
      authorization: `Bearer ${creds().departments.find((d: { id: string }) => d.id === id).token}`,
    });

    // A case, accepted, waiting for its review.
    const guide = await http('GET', `/v1/bundles/enterprise-opening/guide?services=${SERVICE}`, {});
    const form = await http('GET', `/v1/bundles/enterprise-opening/form?services=${SERVICE}`, {});
    const materials = [];
    for (const m of guide.body.materials.filter((x: { required: boolean }) => x.required)) {
      const bytes = pdfBytes();
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const created = await http('POST', '/v1/materials', portal(), {
        bundleId: 'enterprise-opening',
        type: m.type,
        fileName: 'f.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
        sha256,
      });
      await fetch(created.body.upload.url, {
        method: 'PUT',
        headers: created.body.upload.headers,
        body: bytes,
      });
      materials.push({ type: m.type, materialId: created.body.id });
    }
    const submitted = await http(
      'POST',
      '/v1/cases',
      { ...portal(), 'idempotency-key': randomUUID() },
      {
        bundleId: 'enterprise-opening',
        services: [SERVICE],
        applicant: { kind: 'person', name: '赵六', idNumber: newIdNumber(), phone: '13812345678' },
        form: Object.fromEntries(
          Object.entries(form.body.schema.properties).map(([k, p]) => [
            k,
            (p as { examples: unknown[] }).examples[0],
          ]),
        ),
        materials,
        delivery: { method: 'electronic' },
      },
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id;
    const inbox = (d: string) => http('GET', `/v1/departments/${d}/tasks?status=pending&limit=100`, dept(d));
    const acceptance = (
      await until(
        () => inbox('market-regulation'),
        (r) => r.body.items.some((t: { caseId: string }) => t.caseId === caseId),
      )
    ).body.items.find((t: { caseId: string }) => t.caseId === caseId);
    expect(
      (
        await http('POST', `/v1/tasks/${acceptance.id}/decision`, dept('market-regulation'), {
          outcome: 'approve',
          opinion: '受理',
        })
      ).status,
    ).toBe(200);
    await until(
      () => inbox('market-regulation'),
      (r) =>
        r.body.items.some(
          (t: { caseId: string; kind: string }) => t.caseId === caseId && t.kind === 'review',
        ),
    );

    // Killed outright, then started again on the same data.
    await killHard();
    await startStack(port);

    // The applicant still follows progress; the pending review is still there and can be decided.
    const shown = await http('GET', `/v1/cases/${caseId}`, portal());
    expect(shown.status).toBe(200);
    expect(shown.body.status).toBe('in_review');
    expect(
      shown.body.tasks.filter(
        (t: { kind: string; status: string }) => t.kind === 'review' && t.status === 'pending',
      ),
    ).toHaveLength(1);
    const review = (
      await until(
        () => inbox('market-regulation'),
        (r) =>
          r.body.items.some(
            (t: { caseId: string; kind: string }) => t.caseId === caseId && t.kind === 'review',
          ),
      )
    ).body.items.find((t: { caseId: string; kind: string }) => t.caseId === caseId && t.kind === 'review');
    expect(
      (
        await http('POST', `/v1/tasks/${review.id}/decision`, dept('market-regulation'), {
          outcome: 'approve',
          opinion: '同意',
        })
      ).status,
    ).toBe(200);
    const done = await until(
      () => http('GET', `/v1/cases/${caseId}`, portal()),
      (r) => r.body.status === 'issued',
    );
    expect(done.body.licenses).toHaveLength(1);
  }, 120_000);
});
