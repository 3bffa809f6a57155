/**
 * What a portal does, through HTTP only (the logic of test/e2e/portal.ts, without vitest): read the
 * guide and the merged form, declare the required materials as one set, upload each to its
 * presigned URL and check it is verified, then build a complete application from the schema's
 * examples.
 */
import { createHash, randomUUID } from 'node:crypto';
import { idNumberCheckCharacter } from '#core/shared/identifiers.ts';
import { type Api, REQUEST_TIMEOUT_MS } from './http.ts';

export const portalHeaders = (apiKey: string) => ({ 'x-api-key': apiKey });
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A demo applicant of the credentials (`applicants` of .local/credentials.json). */
interface DemoApplicant {
  readonly id: string;
  readonly kind: 'person' | 'organisation';
  readonly name: string;
  readonly idNumber?: string;
  readonly uscc?: string;
  readonly token: string;
}
/** The applicants the bench applies as: one person, one organisation (by the bundle's audience). */
const applicants: Partial<Record<'person' | 'organisation', DemoApplicant>> = {};
/** Who applied for each case: reads of the case go with that applicant's token. */
const caseApplicant = new Map<string, DemoApplicant>();

export function useDemoApplicants(list: readonly DemoApplicant[] | undefined): void {
  for (const kind of ['person', 'organisation'] as const) {
    const a = list?.find((x) => x.kind === kind);
    if (a) applicants[kind] = a;
  }
}

function applicantOf(kind: string): DemoApplicant {
  const a = applicants[kind as 'person' | 'organisation'];
  if (!a) throw new Error(`no demo applicant of kind ${kind}: call useDemoApplicants with the credentials`);
  return a;
}

/** The portal's key and the token of the applicant an application names: for POST /v1/cases. */
export function submitHeaders(apiKey: string, application: unknown) {
  const kind = (application as { applicant?: { kind?: string } }).applicant?.kind ?? 'person';
  return { ...portalHeaders(apiKey), ...bearer(applicantOf(kind).token) };
}

/** Remembers who applied for `caseId`, for `caseHeaders`. */
export function rememberCase(caseId: string, application: unknown): void {
  const kind = (application as { applicant?: { kind?: string } }).applicant?.kind ?? 'person';
  lastApplicant = applicantOf(kind);
  caseApplicant.set(caseId, lastApplicant);
}
/** For cases written straight to the table from a submission's items (latency's raw cases): its applicant. */
let lastApplicant: DemoApplicant | undefined;

/** The portal's key and the token of the case's applicant: for reads of the case. */
export function caseHeaders(apiKey: string, caseId: string) {
  const a = caseApplicant.get(caseId) ?? lastApplicant ?? applicantOf('person');
  return { ...portalHeaders(apiKey), ...bearer(a.token) };
}

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
  /** Material types the guide marks as required (a per-party one once per party): each application uploads its own. */
  materialTypes: string[];
  /** Who the bundle is for: the bench applies as a demo person or organisation accordingly. */
  audience: 'person' | 'organisation';
}

/**
 * Reads the guide, the merged form and the bundle (3 requests) as a portal with an HTTP cache
 * does: the catalog's answers are public for 5 minutes (RouteSpec `cache`), so a portal applying
 * again within them asks nothing, and after them asks with the ETag (304).
 */
export async function applicationTemplate(
  api: Api,
  bundleId: string,
  services?: string[],
): Promise<ApplicationTemplate> {
  const q = services ? `?services=${services.join(',')}` : '';
  const [guide, form, bundle] = await Promise.all([
    api.expect(200, 'GET', `/v1/bundles/${bundleId}/guide${q}`, { cache: true }),
    api.expect(200, 'GET', `/v1/bundles/${bundleId}/form${q}`, { cache: true }),
    api.expect(200, 'GET', `/v1/bundles/${bundleId}`, { cache: true }),
  ]);
  const values = Object.fromEntries(
    Object.entries(form.body.schema.properties as Record<string, { examples: unknown[] }>).map(([k, p]) => [
      k,
      p.examples[0],
    ]),
  );
  // A material asked per party (each heir, each seller…) once for each party the form counts.
  const materialTypes = (
    guide.body.materials as { type: string; required: boolean; perParty?: { countField: string } }[]
  )
    .filter((m) => m.required)
    .flatMap((m) =>
      Array.from<string>({ length: m.perParty ? Number(values[m.perParty.countField]) || 1 : 1 }).fill(
        m.type,
      ),
    );
  const audience = bundle.body.audience === 'organisation' ? 'organisation' : 'person';
  return { bundleId, ...(services ? { services } : {}), form: values, materialTypes, audience };
}

/** A declaration of `bytes` as the material `type` of `bundleId` (a PDF). */
const declarationOf = (bundleId: string, type: string, bytes: Buffer) => ({
  bundleId,
  type,
  fileName: `${type}.pdf`,
  contentType: 'application/pdf',
  size: bytes.length,
  sha256: sha256(bytes),
});

interface Declared {
  readonly id: string;
  readonly upload: { url: string; method: string; headers: Record<string, string> };
}

/** PUTs a file's bytes to its presigned URL with exactly the headers given (one S3 PUT). */
async function putBytes({ upload }: Declared, bytes: Buffer, type: string): Promise<void> {
  const put = await fetch(upload.url, {
    method: upload.method,
    headers: upload.headers,
    body: bytes,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await put.arrayBuffer();
  if (put.status >= 300) throw new Error(`upload of ${type} → ${put.status}`);
}

/** Reads a material back and insists it is verified (one API request). */
async function readBackVerified(api: Api, apiKey: string, id: string): Promise<void> {
  const shown = await api.expect(200, 'GET', `/v1/materials/${id}`, { headers: portalHeaders(apiKey) });
  if (shown.body.status !== 'verified') throw new Error(`material ${id} is ${shown.body.status}`);
}

/**
 * Declares a material, PUTs its bytes to the presigned URL and (unless `readBack` is false) reads
 * it back to see it verified: 2 API requests + 1 S3 PUT, or 1 + 1 when the submission is left to
 * judge it. Returns the material id.
 */
export async function uploadMaterial(
  api: Api,
  apiKey: string,
  bundleId: string,
  type: string,
  { readBack = true }: { readBack?: boolean } = {},
) {
  const bytes = pdfBytes();
  const created = await api.expect(201, 'POST', '/v1/materials', {
    headers: portalHeaders(apiKey),
    body: declarationOf(bundleId, type, bytes),
  });
  const declared = created.body as Declared;
  await putBytes(declared, bytes, type);
  if (readBack) await readBackVerified(api, apiKey, declared.id);
  return declared.id;
}

/** What one POST /v1/materials/batch may declare. */
const MATERIALS_PER_SET = 50;

/**
 * Declares a whole set of materials in one call (POST /v1/materials/batch, 50 at most a call),
 * then PUTs each file's bytes to its presigned URL and (unless `readBack` is false) reads it back
 * to see it verified: for n files 1 API request + n S3 PUTs (+ n reads back). Returns the ids in
 * the order of `types`.
 */
export async function uploadMaterials(
  api: Api,
  apiKey: string,
  bundleId: string,
  types: readonly string[],
  { readBack = true }: { readBack?: boolean } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < types.length; start += MATERIALS_PER_SET) {
    const files = types.slice(start, start + MATERIALS_PER_SET).map((type) => ({ type, bytes: pdfBytes() }));
    const created = await api.expect(201, 'POST', '/v1/materials/batch', {
      headers: portalHeaders(apiKey),
      body: { items: files.map((f) => declarationOf(bundleId, f.type, f.bytes)) },
    });
    const declared = created.body.items as Declared[];
    for (const [i, file] of files.entries()) {
      await putBytes(declared[i]!, file.bytes, file.type);
      if (readBack) await readBackVerified(api, apiKey, declared[i]!.id);
      ids.push(declared[i]!.id);
    }
  }
  return ids;
}

/** The application's `applicant`: the bench's demo applicant of that kind (the token's subject). */
function applicantFor(audience: 'person' | 'organisation') {
  const a = applicantOf(audience);
  return a.kind === 'organisation'
    ? { kind: 'organisation', name: a.name, uscc: a.uscc, phone: '13812345678' }
    : { kind: 'person', name: a.name, idNumber: a.idNumber, phone: '13812345678' };
}

export function applicationFrom(
  template: ApplicationTemplate,
  materials: { type: string; materialId: string }[],
) {
  return {
    bundleId: template.bundleId,
    ...(template.services ? { services: template.services } : {}),
    applicant: applicantFor(template.audience),
    form: template.form,
    materials,
    delivery: { method: 'electronic' },
  };
}

/**
 * Uploads a fresh set of the template's materials — declared together in one call, each file then
 * PUT to its own URL — and returns a complete application.
 */
export async function freshApplication(
  api: Api,
  apiKey: string,
  template: ApplicationTemplate,
  options: { readBack?: boolean } = {},
) {
  const ids = await uploadMaterials(api, apiKey, template.bundleId, template.materialTypes, options);
  return applicationFrom(
    template,
    template.materialTypes.map((type, i) => ({ type, materialId: ids[i]! })),
  );
}

export interface InboxTask {
  id: string;
  caseId: string;
  kind: 'acceptance' | 'review' | 'supplement';
  round: number;
  departmentId: string;
  status: string;
}
