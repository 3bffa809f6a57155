/**
 * What a license holder has in hand: the license id and the verification code (核验码) printed on
 * the license. Tests read the code from the data the license document carries, as a portal shows it.
 */
import { type LicenseDocumentData, licenseDataOf } from '../../client/index.ts';
import { call } from './target.ts';

/**
 * The data the license document at `downloadUrl` carries (its `<script type="application/json"
 * id="license-data">`), read as a portal reads it: with the typed client's `licenseDataOf`.
 */
export async function licenseDataAt(downloadUrl: string): Promise<LicenseDocumentData> {
  const res = await fetch(downloadUrl);
  if (!res.ok) throw new Error(`license document: ${res.status}`);
  const data = licenseDataOf(await res.text());
  if (!data) throw new Error('license document without its data');
  return data;
}

/** The verification code printed on the license whose document `downloadUrl` links to. */
export async function printedCode(downloadUrl: string): Promise<string> {
  const data = await licenseDataAt(downloadUrl);
  if (typeof data.verificationCode !== 'string') throw new Error('license data without a verification code');
  return data.verificationCode;
}

/** GET /v1/licenses/{licenseId}/verification, with the code (or without one, when undefined). */
export const verifyLicense = (licenseId: string, code: string | undefined) =>
  call(
    'GET',
    `/v1/licenses/${encodeURIComponent(licenseId)}/verification${code === undefined ? '' : `?code=${encodeURIComponent(code)}`}`,
  );
