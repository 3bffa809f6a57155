/** Every address (v4 and v6) a host name resolves to, bounded in time — for the SSRF checks. */
import { lookup } from 'node:dns/promises';
import type { ResolveHost } from '#core/webhooks/ports.ts';

export const RESOLVE_TIMEOUT_MS = 3000;

export const resolveHost: ResolveHost = async (host) => {
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`DNS lookup of ${host} timed out`)), RESOLVE_TIMEOUT_MS);
      }),
    ]);
    return addresses.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
};
