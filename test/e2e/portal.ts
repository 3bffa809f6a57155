/**
 * What a portal does, through HTTP only: read the guide and the merged form, upload the required
 * materials to their presigned URLs, and build a complete application from the schema's examples.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { idNumberCheckCharacter } from '../../core/shared/identifiers.ts';
import { call, flowWaitMs, target } from './target.ts';

export const portalKey = (i = 0) => ({ 'x-api-key': target().credentials.portals[i]!.apiKey });
export const departmentAuth = (departmentId: string) => {
  const d = target().credentials.departments.find((x) => x.id === departmentId);
  if (!d) throw new Error(`no demo credentials for department ${departmentId}`);
  return { authorization: `Bearer ${d.token}` };
};

/** A small but real PDF. */
export function pdfBytes(label = randomUUID()): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A fresh valid resident ID number (GB 11643). */
export function newIdNumber(): string {
  const seq = String(Math.floor(Math.random() * 900) + 100);
  const first17 = `32040219900101${seq}`;
  return first17 + idNumberCheckCharacter(first17);
}

export async function uploadMaterial(
  bundleId: string,
  type: string,
  bytes = pdfBytes(),
  portal = 0,
  declared?: { sha256?: string; contentType?: string },
) {
  const created = await call('POST', '/v1/materials', {
    headers: portalKey(portal),
    body: {
      bundleId,
      type,
      fileName: `${type}.pdf`,
      contentType: declared?.contentType ?? 'application/pdf',
      size: bytes.length,
      sha256: declared?.sha256 ?? sha256(bytes),
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { url, method, headers } = created.body.upload;
  const put = await fetch(url, { method, headers, body: bytes });
  expect(put.status).toBeLessThan(300);
  return created.body.id as string;
}

/** A complete, valid application for `services` of `bundleId` (all when omitted). */
export async function buildApplication(bundleId: string, services?: string[], portal = 0) {
  const q = services ? `?services=${services.join(',')}` : '';
  const [guide, form] = await Promise.all([
    call('GET', `/v1/bundles/${bundleId}/guide${q}`),
    call('GET', `/v1/bundles/${bundleId}/form${q}`),
  ]);
  expect(guide.status).toBe(200);
  expect(form.status).toBe(200);
  const values = Object.fromEntries(
    Object.entries(form.body.schema.properties as Record<string, { examples: unknown[] }>).map(([k, p]) => [
      k,
      p.examples[0],
    ]),
  );
  const materials = [];
  for (const m of guide.body.materials as {
    type: string;
    required: boolean;
    perParty?: { countField: string };
  }[]) {
    if (!m.required) continue;
    // A material asked per party (each heir, each seller…) once for each party the form counts.
    const copies = m.perParty ? Number(values[m.perParty.countField]) || 1 : 1;
    for (let i = 0; i < copies; i++)
      materials.push({
        type: m.type,
        materialId: await uploadMaterial(bundleId, m.type, pdfBytes(), portal),
      });
  }
  return {
    bundleId,
    ...(services ? { services } : {}),
    applicant: { kind: 'person', name: '张三', idNumber: newIdNumber(), phone: '13812345678' },
    form: values,
    materials,
    delivery: { method: 'electronic' },
  };
}

/** Polls a read until `check` passes (bounded): the flow runs asynchronously behind the API. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  what: string,
  timeoutMs = flowWaitMs(),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function submit(application: unknown, key = randomUUID(), portal = 0) {
  return call('POST', '/v1/cases', {
    headers: { ...portalKey(portal), 'idempotency-key': key },
    body: application,
  });
}

export async function getCase(caseId: string, portal = 0) {
  return call('GET', `/v1/cases/${caseId}`, { headers: portalKey(portal) });
}

/** The department's pending task for the case (waits until it is opened). */
export async function pendingTask(
  departmentId: string,
  caseId: string,
  kind: 'acceptance' | 'review',
  round = 0,
) {
  const res = await eventually(
    () =>
      call('GET', `/v1/departments/${departmentId}/tasks?status=pending&limit=100`, {
        headers: departmentAuth(departmentId),
      }),
    (r) =>
      r.status === 200 &&
      r.body.items.some(
        (t: { caseId: string; kind: string; round: number }) =>
          t.caseId === caseId && t.kind === kind && t.round === round,
      ),
    `${kind} task of ${departmentId} for ${caseId}`,
  );
  return res.body.items.find(
    (t: { caseId: string; kind: string; round: number }) =>
      t.caseId === caseId && t.kind === kind && t.round === round,
  );
}

export async function decide(taskId: string, departmentId: string, decision: Record<string, unknown>) {
  return call('POST', `/v1/tasks/${taskId}/decision`, {
    headers: departmentAuth(departmentId),
    body: decision,
  });
}
