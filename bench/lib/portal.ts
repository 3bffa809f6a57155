/**
 * What a portal does, through HTTP only (the logic of test/e2e/portal.ts, without vitest): read the
 * guide and the merged form, upload each required material to its presigned URL and check it is
 * verified, then build a complete application from the schema's examples.
 */
import { createHash, randomUUID } from 'node:crypto';
import { idNumberCheckCharacter } from '#core/shared/identifiers.ts';
import { type Api, REQUEST_TIMEOUT_MS } from './http.ts';

export const portalHeaders = (apiKey: string) => ({ 'x-api-key': apiKey });
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A small but real PDF, different each time. */
export function pdfBytes(label = randomUUID()): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A fresh valid resident ID number (GB 11643). */
export function newIdNumber(): string {
  const seq = String(Math.floor(Math.random() * 900) + 100);
  const first17 = `32040219900101${seq}`;
  return first17 + idNumberCheckCharacter(first17);
}

export interface ApplicationTemplate {
  bundleId: string;
  services?: string[];
  form: Record<string, unknown>;
  /** Material types the guide marks as required: each application uploads its own. */
  materialTypes: string[];
}

/** Reads the guide and the merged form once (2 requests); reused for many applications. */
export async function applicationTemplate(
  api: Api,
  bundleId: string,
  services?: string[],
): Promise<ApplicationTemplate> {
  const q = services ? `?services=${services.join(',')}` : '';
  const [guide, form] = await Promise.all([
    api.expect(200, 'GET', `/v1/bundles/${bundleId}/guide${q}`),
    api.expect(200, 'GET', `/v1/bundles/${bundleId}/form${q}`),
  ]);
  const values = Object.fromEntries(
    Object.entries(form.body.schema.properties as Record<string, { examples: unknown[] }>).map(([k, p]) => [
      k,
      p.examples[0],
    ]),
  );
  const materialTypes = (guide.body.materials as { type: string; required: boolean }[])
    .filter((m) => m.required)
    .map((m) => m.type);
  return { bundleId, ...(services ? { services } : {}), form: values, materialTypes };
}

/**
 * Declares a material, PUTs its bytes to the presigned URL and reads it back until verified:
 * 2 API requests + 1 S3 PUT. Returns the material id.
 */
export async function uploadMaterial(api: Api, apiKey: string, bundleId: string, type: string) {
  const bytes = pdfBytes();
  const created = await api.expect(201, 'POST', '/v1/materials', {
    headers: portalHeaders(apiKey),
    body: {
      bundleId,
      type,
      fileName: `${type}.pdf`,
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: sha256(bytes),
    },
  });
  const { url, method, headers } = created.body.upload as {
    url: string;
    method: string;
    headers: Record<string, string>;
  };
  const put = await fetch(url, {
    method,
    headers,
    body: bytes,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await put.arrayBuffer();
  if (put.status >= 300) throw new Error(`upload of ${type} → ${put.status}`);
  const id = created.body.id as string;
  const shown = await api.expect(200, 'GET', `/v1/materials/${id}`, { headers: portalHeaders(apiKey) });
  if (shown.body.status !== 'verified') throw new Error(`material ${id} is ${shown.body.status}`);
  return id;
}

export function applicationFrom(
  template: ApplicationTemplate,
  materials: { type: string; materialId: string }[],
) {
  return {
    bundleId: template.bundleId,
    ...(template.services ? { services: template.services } : {}),
    applicant: { kind: 'person', name: '张三', idNumber: newIdNumber(), phone: '13812345678' },
    form: template.form,
    materials,
    delivery: { method: 'electronic' },
  };
}

/** Uploads a fresh set of the template's materials and returns a complete application. */
export async function freshApplication(api: Api, apiKey: string, template: ApplicationTemplate) {
  const materials = [];
  for (const type of template.materialTypes)
    materials.push({ type, materialId: await uploadMaterial(api, apiKey, template.bundleId, type) });
  return applicationFrom(template, materials);
}

export interface InboxTask {
  id: string;
  caseId: string;
  kind: 'acceptance' | 'review' | 'supplement';
  round: number;
  departmentId: string;
  status: string;
}
