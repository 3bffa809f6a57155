/**
 * What a license holder has in hand: the license id and the verification code (核验码) printed on
 * the license. Tests read the code from the license's data file, as a portal shows it.
 */
import { call } from './target.ts';

/** The verification code printed on the license whose data file `dataUrl` links to. */
export async function printedCode(dataUrl: string): Promise<string> {
  const res = await fetch(dataUrl);
  if (!res.ok) throw new Error(`license data: ${res.status}`);
  const data = (await res.json()) as { verificationCode?: unknown };
  if (typeof data.verificationCode !== 'string') throw new Error('license data without a verification code');
  return data.verificationCode;
}

/** GET /v1/licenses/{licenseId}/verification, with the code (or without one, when undefined). */
export const verifyLicense = (licenseId: string, code: string | undefined) =>
  call(
    'GET',
    `/v1/licenses/${encodeURIComponent(licenseId)}/verification${code === undefined ? '' : `?code=${encodeURIComponent(code)}`}`,
  );
