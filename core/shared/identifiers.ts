/**
 * Identifier checks for applicants: the resident ID number (居民身份证号码, GB 11643-1999) and the
 * unified social credit code (统一社会信用代码, GB 32100-2015). Pure functions; both check the
 * check character, the ID number also its birth date.
 */

/** The shape of a resident ID number (its check digit and birth date are checked beyond it). */
export const ID_NUMBER_PATTERN = '^\\d{17}[\\dX]$';
/** The shape of a unified social credit code (its check character is checked beyond it). */
export const USCC_PATTERN = '^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** The GB 11643 check character for the first 17 digits. */
export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function isValidIdNumber(value: string): boolean {
  if (!new RegExp(ID_NUMBER_PATTERN).test(value)) return false;
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d)
    return false;
  return idNumberCheckCharacter(value.slice(0, 17)) === value[17];
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** The GB 32100 check character for the first 17 characters. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARS[(31 - (sum % 31)) % 31]!;
}

export function isValidUscc(value: string): boolean {
  if (!new RegExp(USCC_PATTERN).test(value)) return false;
  return usccCheckCharacter(value.slice(0, 17)) === value[17];
}

/** 320402199001011234 → 3204**********1234: enough to recognise, not enough to misuse. */
export function maskIdentifier(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return `${value.slice(0, 4)}${'*'.repeat(value.length - 8)}${value.slice(-4)}`;
}

/** 13812345678 → 138****5678. */
export function maskPhone(value: string): string {
  return value.length < 7
    ? '*'.repeat(value.length)
    : `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

/** 张三丰 → 张** : the family name stays, the rest is hidden. */
export function maskName(value: string): string {
  const chars = [...value];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}
