/**
 * A scan of everything the system logged during the test run (the handlers, tasks and emulators
 * run in the globalSetup process): no resident ID number, unified social credit code, mobile phone
 * number, bearer token or API key may appear. Found values are reported masked.
 */
import { isValidIdNumber, isValidUscc } from '../../core/shared/identifiers.ts';

export interface Capture {
  text(): string;
  restore(): void;
}

export function captureOutput(): Capture {
  const chunks: string[] = [];
  const originals = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const tee =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tee(originals.out) as typeof process.stdout.write;
  process.stderr.write = tee(originals.err) as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

const mask = (s: string) => `${s.slice(0, 3)}…${s.slice(-2)}`;

/** Every personal identifier or secret found in `text`, masked. */
export function personalDataIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?<![\dA-Z])\d{17}[\dX](?![\dA-Z])/g))
    if (isValidIdNumber(m[0])) found.add(`id number ${mask(m[0])}`);
  for (const m of text.matchAll(
    /(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])/g,
  ))
    if (isValidUscc(m[0])) found.add(`credit code ${mask(m[0])}`);
  // Not inside a word: request ids (UUIDs) end in 12 hex digits such as "f17571849754".
  for (const m of text.matchAll(/(?<![\w-])1[3-9]\d{9}(?!\w)/g)) found.add(`phone ${mask(m[0])}`);
  for (const m of text.matchAll(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/g))
    found.add(`bearer token ${mask(m[0])}`);
  for (const m of text.matchAll(/yjs_[\w-]{20,}/g)) found.add(`api key ${mask(m[0])}`);
  return [...found];
}
