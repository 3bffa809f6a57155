/**
 * One structured logger (Powertools) per Lambda, created at module scope. Personal data never
 * reaches it: handlers log ids and counts, not bodies; `redact` is the last line of defence for
 * anything that looks like an ID number, credit code, phone number or token.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'yijianshi',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});

const PATTERNS: [RegExp, string][] = [
  [/\b\d{17}[\dXx]\b/g, '[id-number]'],
  [/\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b/g, '[uscc]'],
  [/\b1[3-9]\d{9}\b/g, '[phone]'],
  [/\b(Bearer\s+)[\w.~+/=-]+/gi, '$1[token]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, sub] of PATTERNS) out = out.replace(re, sub);
  return out;
}
