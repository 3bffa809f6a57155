/**
 * Content sniffing for uploaded materials: what the first bytes of a file say it is. A portal's
 * declared content type (and the Content-Type it sent to S3) is a claim, not a fact — S3 stores
 * whatever bytes arrive, and s3rver does not even enforce the signed headers — so a material counts
 * as uploaded only when its bytes carry the signature of the declared type.
 *
 * Only the types a catalog may accept have a signature here. A declared type without one never
 * matches: what we cannot recognise, we do not trust.
 */

/** How many leading bytes the checks need (the longest signature, with room to spare). */
export const SNIFF_BYTES = 16;

interface Signature {
  readonly contentType: string;
  readonly magic: readonly number[];
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

export const SIGNATURES: readonly Signature[] = [
  // ISO 32000: the header must open the file. (Readers tolerate up to 1 KB of junk before it; we
  // do not, so a polyglot file with something else in front is refused.)
  { contentType: 'application/pdf', magic: ascii('%PDF-') },
  // JFIF, Exif and raw JPEG all start with SOI followed by a marker's 0xFF.
  { contentType: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  // PNG's 8-byte signature, designed to catch transfer corruption (CR LF, EOF, high bit).
  { contentType: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  // GB/T 33190 OFD is a ZIP container. A ZIP header proves only "some ZIP" (docx looks the same);
  // enough to refuse non-ZIP bytes if a catalog ever accepts OFD, not to prove it is OFD.
  { contentType: 'application/ofd', magic: [0x50, 0x4b, 0x03, 0x04] },
];

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** The content type the first bytes show, or undefined when they carry no known signature. */
export function sniffContentType(head: Uint8Array): string | undefined {
  return SIGNATURES.find((s) => startsWith(head, s.magic))?.contentType;
}

/** Whether `head` (the file's first bytes) carries the signature of the declared content type. */
export function bytesMatchType(declared: string, head: Uint8Array): boolean {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  const signature = SIGNATURES.find((s) => s.contentType === type);
  return signature !== undefined && startsWith(head, signature.magic);
}
