/**
 * 一套材料: before any bytes move, a portal declares the file it will upload — which bundle and
 * material type it is for, its name, content type, size and SHA-256. The declaration is checked
 * completely against the catalog (一次反馈: every problem at once), and later the stored bytes are
 * judged against it: a material is usable only when the bytes are exactly the ones declared.
 */
import * as z from 'zod/mini';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { problemsFromIssues } from '../shared/error-codes.ts';
import { ValidationError } from '../shared/errors.ts';
import { bytesMatchType } from './sniff.ts';

/**
 * Path separators and dot names would let a name act as a path wherever it is ever written to
 * disk; control characters break headers and logs; bidi overrides disguise extensions
 * ("invoice\u202Efdp.exe" shows as "invoice.exe.pdf").
 */
const PATH_LIKE = /[/\\]|^\.{1,2}$/;
const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export const DeclarationSchema = /* @__PURE__ */ (() =>
  z.object({
    bundleId: z.string().check(z.minLength(1), z.maxLength(100)),
    type: z.string().check(z.minLength(1), z.maxLength(100)),
    fileName: z.string().check(
      z.minLength(1),
      z.maxLength(255),
      z.refine((s) => !PATH_LIKE.test(s), {
        message: 'A file name, not a path: no "/" or "\\", and not "." or "..".',
        params: { code: 'file_name_is_path' },
      }),
      z.refine((s) => !CONTROL.test(s), {
        message: 'The file name contains control or direction-override characters.',
        params: { code: 'file_name_has_control_characters' },
      }),
    ),
    // Lower-cased because MIME types are case-insensitive while the catalog's `accept` list and the
    // signed Content-Type header are compared byte for byte.
    contentType: z
      .string()
      .check(
        z.maxLength(100),
        z.trim(),
        z.toLowerCase(),
        z.regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'A MIME type such as "application/pdf", without parameters.'),
      ),
    size: z.number().check(z.int(), z.positive()),
    sha256: z
      .string()
      .check(z.regex(/^[0-9a-f]{64}$/, 'The SHA-256 of the file as 64 lower-case hex digits.')),
  }))();
export type Declaration = z.infer<typeof DeclarationSchema>;

const FIELDS = DeclarationSchema.shape;

/** One field's parsed value, or undefined when it is missing or malformed (already reported). */
function field<K extends keyof typeof FIELDS>(
  raw: Record<string, unknown>,
  key: K,
): z.output<(typeof FIELDS)[K]> | undefined {
  const r = FIELDS[key].safeParse(raw[key]);
  return r.success ? (r.data as z.output<(typeof FIELDS)[K]>) : undefined;
}

/**
 * Checks a declaration against the shape and the catalog. Throws one ValidationError listing every
 * problem (codes: zod's, `file_name_is_path`, `file_name_has_control_characters`, `unknown_bundle`,
 * `unknown_material_type`, `material_type_not_in_bundle`, `content_type_not_accepted`,
 * `file_too_large`), or returns the parsed declaration.
 */
export function checkDeclaration(index: CatalogIndex, body: unknown): Declaration {
  const parsed = DeclarationSchema.safeParse(body);
  // Our codes (core/shared/error-codes.ts): our refinements name theirs in `params.code`.
  const problems = parsed.success ? [] : problemsFromIssues(parsed.error.issues, body);

  // The catalog checks run on every readable field, even when others are malformed.
  const raw = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<
    string,
    unknown
  >;
  const bundleId = field(raw, 'bundleId');
  const typeId = field(raw, 'type');
  const contentType = field(raw, 'contentType');
  const size = field(raw, 'size');

  const bundle = bundleId === undefined ? undefined : index.bundles.get(bundleId);
  if (bundleId !== undefined && !bundle)
    problems.push({
      path: '/bundleId',
      code: 'unknown_bundle',
      message: `There is no bundle "${bundleId}" in this city's catalog.`,
    });

  const type = typeId === undefined ? undefined : index.materials.get(typeId);
  if (typeId !== undefined && !type)
    problems.push({
      path: '/type',
      code: 'unknown_material_type',
      message: `There is no material type "${typeId}" in this city's catalog.`,
    });
  else if (type && bundle && !bundle.services.some((s) => s.materials.some((m) => m.typeId === type.id)))
    problems.push({
      path: '/type',
      code: 'material_type_not_in_bundle',
      message: `No service of bundle "${bundle.id}" asks for ${type.name} (${type.id}).`,
    });

  if (type && contentType !== undefined && !type.accept.includes(contentType))
    problems.push({
      path: '/contentType',
      code: 'content_type_not_accepted',
      message: `${type.name} (${type.id}) is accepted as ${type.accept.join(', ')}, not ${contentType}.`,
    });
  if (type && size !== undefined && size > type.maxBytes)
    problems.push({
      path: '/size',
      code: 'file_too_large',
      message: `${type.name} (${type.id}) may be at most ${type.maxBytes} bytes; this file has ${size}.`,
    });

  if (problems.length || !parsed.success) throw new ValidationError(problems);
  return parsed.data;
}

/**
 * How many files one set may declare (POST /v1/materials/batch): one transaction records them all,
 * within DynamoDB's 100 items, and more than any bundle's materials.
 */
export const MAX_DECLARATIONS_PER_SET = 50;

/** A whole set of files (一套材料) declared at once: each item exactly what POST /v1/materials takes. */
export const DeclarationSetSchema = /* @__PURE__ */ (() =>
  z.object({
    items: z.array(DeclarationSchema).check(z.minLength(1), z.maxLength(MAX_DECLARATIONS_PER_SET)),
  }))();

/** The set's own shape, its items unread: their problems are checkDeclaration's. */
const SetEnvelope = /* @__PURE__ */ (() =>
  z.object({
    items: z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_DECLARATIONS_PER_SET)),
  }))();

/**
 * Checks a set of declarations: the list (1–50 items) and every item as checkDeclaration does.
 * Throws one ValidationError listing every problem of the list and of every item — an item's
 * under `/items/<i>` — or returns the parsed declarations in their order.
 */
export function checkDeclarations(index: CatalogIndex, body: unknown): Declaration[] {
  const envelope = SetEnvelope.safeParse(body);
  const problems = envelope.success ? [] : problemsFromIssues(envelope.error.issues, body);
  const raw = (body as { items?: unknown } | null | undefined)?.items;
  const declarations: Declaration[] = [];
  (Array.isArray(raw) ? raw : []).forEach((item: unknown, i) => {
    try {
      declarations.push(checkDeclaration(index, item));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.problems.map((p) => ({ ...p, path: `/items/${i}${p.path}` })));
    }
  });
  if (problems.length || !envelope.success) throw new ValidationError(problems);
  return declarations;
}

/** What storage observed of an upload: its size, SHA-256 and first bytes. */
export interface ObservedUpload {
  readonly size: number;
  readonly sha256: string;
  readonly head: Uint8Array;
}

export type UploadVerdict =
  | { readonly status: 'verified' }
  | { readonly status: 'rejected'; readonly reason: 'mismatch' | 'wrong_content' };

/**
 * Judges stored bytes against their declaration. Size and digest first: if they differ the bytes
 * are not the file that was declared (tampered, truncated, or another file), whatever they are.
 * Only bytes that are exactly the declared ones are then checked for the declared content type.
 */
export function judgeUpload(
  declared: Pick<Declaration, 'size' | 'sha256' | 'contentType'>,
  observed: ObservedUpload,
): UploadVerdict {
  if (observed.size !== declared.size || observed.sha256 !== declared.sha256)
    return { status: 'rejected', reason: 'mismatch' };
  if (!bytesMatchType(declared.contentType, observed.head))
    return { status: 'rejected', reason: 'wrong_content' };
  return { status: 'verified' };
}

/** What a later look at the stored object of a verified material sees (a HEAD, or a full re-read). */
export interface ObservedObject {
  readonly size: number;
  readonly etag?: string | undefined;
  /** Present only when the bytes were read again (materials verified before ETags were recorded). */
  readonly sha256?: string | undefined;
}

/**
 * Whether the object behind a verified material is still the one verified (checked again when the
 * material is attached to a case): the same size, and the same ETag recorded when its bytes were
 * hashed — or, for a material verified without one, the same SHA-256. No object: not the same.
 */
export function stillVerified(
  verified: { readonly size: number; readonly sha256: string; readonly etag?: string | undefined },
  observed: ObservedObject | undefined,
): boolean {
  if (!observed || observed.size !== verified.size) return false;
  if (verified.etag !== undefined) return observed.etag === verified.etag;
  return observed.sha256 === verified.sha256;
}
