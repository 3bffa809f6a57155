/**
 * One signature for every license an issue attempt builds (issue #14, cost): a KMS Sign is
 * $0.015 per 1,000 and 企业开办 issues up to 6 licenses, so the attempt signs a manifest of them
 * once instead of each license alone.
 *
 * - A license's entry is the SHA-256 (hex) of signedMessage(license): the very message a license
 *   signed alone is signed over, so an entry binds the same fields — the license id, both file
 *   hashes, the issue time and the key id.
 * - The manifest is the sorted list of the attempt's entries; the signed bytes are its canonical
 *   JSON `{"licenses":[…],"v":2}`. A signed-alone message has neither key, so a signature of one
 *   kind never passes for the other.
 * - Every record of the attempt keeps the whole manifest beside the one signature and its key id:
 *   one license verifies from its own record, its two files and the public key — its entry,
 *   recomputed from its record, is listed, and the signature over the list is valid. Another
 *   license's entry is of no use to a forged record: the entry binds the license id.
 *
 * Why digests and not the entries themselves: a record then says nothing about its siblings — their
 * random ids are printed only on their own licenses, and a digest gives neither back — and stays
 * small (64 characters per license). Why no Merkle tree: an attempt issues at most 50 licenses (the
 * task's input limit), so the full list is at most 3.2 KB per record; a tree would save those bytes
 * at the price of proof paths, more code to get wrong for no gain at this size.
 *
 * Records signed before manifests (no `manifest`) are verified as they always were: their
 * signature is over their own signedMessage.
 */
import { canonicalJson } from '../case/model.ts';
import { type SignedFields, sha256Hex, signedMessage } from './document.ts';

export const MANIFEST_VERSION = 2;

/** What one license contributes to a manifest: the SHA-256 (hex) of its signedMessage. */
export function manifestEntry(license: SignedFields): string {
  return sha256Hex(signedMessage(license));
}

/** The entries of several licenses, sorted (and once each), as signed and stored. */
export function manifestOf(licenses: readonly SignedFields[]): string[] {
  return [...new Set(licenses.map(manifestEntry))].sort();
}

/** The exact bytes the one signature covers: canonical JSON of the version and the entries as listed. */
export function manifestMessage(entries: readonly string[]): Uint8Array {
  return new TextEncoder().encode(canonicalJson({ v: MANIFEST_VERSION, licenses: entries }));
}

/**
 * What a license's signature must be valid over, and whether that covers this license at all: its
 * manifest when it has one (and only if its own entry is listed there), else its own signedMessage.
 */
export function signedBytesOf(license: SignedFields & { readonly manifest?: readonly string[] }): {
  readonly message: Uint8Array;
  readonly covers: boolean;
} {
  if (!license.manifest) return { message: signedMessage(license), covers: true };
  return {
    message: manifestMessage(license.manifest),
    covers: license.manifest.includes(manifestEntry(license)),
  };
}
