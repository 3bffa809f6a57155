/**
 * What issuing and verifying e-licenses (电子证照) need from the outside world: a signing key
 * (电子印章 — KMS in AWS, a local key on a laptop), file storage for the documents, and a store
 * for the license records. The record is the commit point: a license exists once its record does.
 */
import * as z from 'zod/mini';
import type { LicenseRecord } from '../case/ports.ts';

/** An ECDSA P-256 key that signs with SHA-256; signatures are DER (the form KMS returns). */
export interface LicenseSigner {
  /** Recorded with every license, so a license stays verifiable with the key that signed it. */
  readonly keyId: string;
  readonly algorithm: 'ECDSA_SHA_256';
  sign(message: Uint8Array): Promise<Uint8Array /* DER */>;
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/**
 * The stored license: the case port's LicenseRecord plus the hash of its machine-readable data,
 * the keyed digest of its verification code (core/identity/keyed-ids.ts) — never the code itself —
 * and the manifest its signature covers.
 */
export interface IssuedLicense extends LicenseRecord {
  readonly dataSha256: string;
  readonly verificationCodeDigest: string;
  /**
   * The entries of every license signed with this one, in one signature (manifest.ts), this one's
   * among them: `signature` is over manifestMessage(manifest). Absent on licenses signed alone,
   * before manifests: their `signature` is over their own signedMessage.
   */
  readonly manifest?: readonly string[];
}

// Each schema is built by a call marked /* @__PURE__ */: a Lambda bundle that imports this module
// and never uses a schema drops it, and builds nothing of it at init (esbuild removes an unused
// pure call; a bare z.object(…) it must keep, issue #14).
const sha256Hex = /* @__PURE__ */ (() => z.string().check(z.regex(/^[0-9a-f]{64}$/)))();

/** Parses a license read back from storage (zod at every trust boundary, storage included). */
export const IssuedLicenseSchema = /* @__PURE__ */ (() =>
  z.object({
    licenseId: z.string().check(z.minLength(1)),
    caseId: z.string().check(z.minLength(1)),
    serviceId: z.string().check(z.minLength(1)),
    name: z.string().check(z.minLength(1)),
    departmentId: z.string().check(z.minLength(1)),
    documentKey: z.string().check(z.minLength(1)),
    /** Licenses issued before their data was embedded in the document: the data file beside it. */
    dataKey: z.optional(z.string().check(z.minLength(1))),
    documentSha256: sha256Hex,
    dataSha256: sha256Hex,
    verificationCodeDigest: sha256Hex,
    /** base64 of the DER signature over manifestMessage(manifest), or signedMessage(record) without one. */
    signature: z.string().check(z.minLength(1)),
    /** The signed manifest's entries (manifest.ts): at most one per license of an attempt (50). */
    manifest: z.optional(z.array(sha256Hex).check(z.minLength(1), z.maxLength(100))),
    algorithm: z.string().check(z.minLength(1)),
    keyId: z.string().check(z.minLength(1)),
    issuedAt: z.string().check(z.minLength(1)),
  }) satisfies z.ZodMiniType<IssuedLicense>)();

export interface LicenseFiles {
  /** Where a license's document lives; a pure function of the license id. */
  keysFor(licenseId: string): { readonly documentKey: string };
  /** Writes (or overwrites with identical bytes) a license's document, its data embedded (document.ts). */
  put(licenseId: string, document: Uint8Array): Promise<void>;
  /** The stored bytes, or undefined when the object is missing. */
  read(key: string): Promise<Uint8Array | undefined>;
  /** A short-lived URL to download one file. */
  downloadUrl(key: string): Promise<string>;
}

export interface LicenseStore {
  /**
   * Records a license unless the case already has one for its service (a conditional write on
   * case + service: one license per approved service, however often issuing is retried).
   * `created` is true when the record is now exactly `license` (an SDK retry of this very write
   * included); false when a different license for this service was recorded first — `stored` is
   * that one, which stays the service's license.
   */
  put(license: IssuedLicense): Promise<{ created: boolean; stored: IssuedLicense }>;
  /**
   * Records several licenses of one case at once (one write when none is there yet); each answer
   * as `put`'s, in the same order.
   */
  putAll(licenses: readonly IssuedLicense[]): Promise<{ created: boolean; stored: IssuedLicense }[]>;
  listForCase(caseId: string): Promise<IssuedLicense[]>;
  get(licenseId: string): Promise<IssuedLicense | undefined>;
}
