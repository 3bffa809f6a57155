/**
 * Use case: anyone holding an e-license checks it (验证), with the license id AND the verification
 * code printed on it — the id alone verifies nothing.
 *  1. The license record by its id, and the code against the record's keyed digest. An unknown id,
 *     a missing code and a wrong code are one and the same NotFoundError (404): no answer tells
 *     whether an id exists.
 *  2. The stored document and the data it embeds (document.ts; a license issued before keeps it in
 *     a data file beside the document) are hashed again and compared with the record.
 *  3. The signature over those hashes is checked with the key the license names — which may be an
 *     earlier key than the one signing today; a key that cannot be used here fails the check. A
 *     license signed with the others of its issue (manifest.ts) passes only if its own entry,
 *     recomputed from its record, is in its signed manifest; one signed alone (before manifests),
 *     by the signature over its own hashes. Either way its own record is all it takes.
 *  4. Only what the license itself prints is shown, and only from intact data (an altered file
 *     must not put words in our mouth); a person's name is masked, as the identifier already is.
 */
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { type IdentifierKeyer, verificationCodeMatchesWith } from '../identity/keyed-ids.ts';
import { NotFoundError } from '../shared/errors.ts';
import { maskName } from '../shared/identifiers.ts';
import { embeddedData, type LicenseData, sha256Hex } from './document.ts';
import { signedBytesOf } from './manifest.ts';
import type { LicenseFiles, LicenseSigner, LicenseStore } from './ports.ts';

export interface VerifyLicenseDeps {
  readonly store: Pick<LicenseStore, 'get'>;
  readonly files: Pick<LicenseFiles, 'read'>;
  /** The key a license names (its keyId), to verify with; undefined when it cannot be used here. */
  verifierFor(keyId: string): Pick<LicenseSigner, 'verify'> | undefined;
  /** For the issuer's name. */
  readonly catalog: Pick<CatalogIndex, 'departments'>;
  /** The city's keyer, to check the code against the stored digest. */
  readonly keyer: IdentifierKeyer;
}

/** The one answer to an unknown id, a missing code and a wrong code alike. */
const NO_SUCH_LICENSE = 'There is no license with this id and verification code.';

/** The verdict, valid or not (the body of GET /v1/licenses/{licenseId}/verification). */
export interface LicenseVerification {
  readonly valid: boolean;
  readonly licenseId: string;
  readonly serviceId: string;
  readonly name: string;
  readonly issuedAt: string;
  readonly issuer: { readonly id: string; readonly name: string };
  readonly holder?: {
    readonly kind: LicenseData['holder']['kind'];
    readonly name: string;
    readonly identifierType: LicenseData['holder']['identifierType'];
    readonly identifier: string;
  };
  readonly checks: {
    readonly documentIntact: boolean;
    readonly dataIntact: boolean;
    readonly signatureValid: boolean;
  };
  readonly algorithm: string;
  readonly keyId: string;
}

/** The only algorithm licenses are signed with (LicenseSigner); anything else cannot verify. */
const SIGNING_ALGORITHM: LicenseSigner['algorithm'] = 'ECDSA_SHA_256';

const intact = (bytes: Uint8Array | undefined, sha256: string): bytes is Uint8Array =>
  bytes !== undefined && sha256Hex(bytes) === sha256;

export async function verifyLicense(
  deps: VerifyLicenseDeps,
  licenseId: string,
  code: string | undefined,
): Promise<LicenseVerification> {
  const l = await deps.store.get(licenseId);
  if (
    !l ||
    code === undefined ||
    !verificationCodeMatchesWith(deps.keyer, l.licenseId, l.verificationCodeDigest, code)
  )
    throw new NotFoundError(NO_SUCH_LICENSE);
  // A license issued before its data was embedded keeps it in a file of its own.
  const [document, dataFile] = await Promise.all([
    deps.files.read(l.documentKey),
    l.dataKey ? deps.files.read(l.dataKey) : undefined,
  ]);
  const data = l.dataKey ? dataFile : document && embeddedData(document);
  const verifier = l.algorithm === SIGNING_ALGORITHM ? deps.verifierFor(l.keyId) : undefined;
  const dataIntact = intact(data, l.dataSha256);
  const signed = signedBytesOf(l);
  const checks = {
    documentIntact: intact(document, l.documentSha256),
    dataIntact,
    signatureValid:
      verifier && signed.covers
        ? await verifier.verify(signed.message, Buffer.from(l.signature, 'base64'))
        : false,
  };
  const holder = dataIntact ? (JSON.parse(new TextDecoder().decode(data)) as LicenseData).holder : undefined;
  return {
    valid: checks.documentIntact && checks.dataIntact && checks.signatureValid,
    licenseId: l.licenseId,
    serviceId: l.serviceId,
    name: l.name,
    issuedAt: l.issuedAt,
    issuer: {
      id: l.departmentId,
      name: deps.catalog.departments.get(l.departmentId)?.name ?? l.departmentId,
    },
    ...(holder
      ? {
          holder: {
            kind: holder.kind,
            name: holder.kind === 'person' ? maskName(holder.name) : holder.name,
            identifierType: holder.identifierType,
            identifier: holder.identifier,
          },
        }
      : {}),
    checks,
    algorithm: l.algorithm,
    keyId: l.keyId,
  };
}
