/**
 * Where webhooks may point (SSRF defence). A callback URL must be https and its host must be — and,
 * once resolved, resolve only to — public unicast addresses: never loopback, private (RFC 1918, ULA),
 * CGNAT, link-local, cloud metadata endpoints, multicast, broadcast or reserved ranges, in IPv4 or
 * IPv6 (IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address they carry). The same
 * rules run at registration (URL and DNS) and at every delivery (the address actually connected
 * to), so a name that later resolves somewhere private is still refused.
 *
 * `allowPrivate` is the local-development allowance (WEBHOOK_ALLOW_PRIVATE=true, set only by
 * local/stack.ts): http, loopback, private and CGNAT addresses are then accepted — metadata,
 * link-local, multicast, unspecified and reserved addresses never are. Pure: no I/O.
 */
import type { Problem } from '../shared/errors.ts';

export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'cgnat'
  | 'link_local'
  | 'metadata'
  | 'multicast'
  | 'broadcast'
  | 'unspecified'
  | 'reserved';

const DESCRIPTION: Record<AddressClass, string> = {
  public: 'a public address',
  private: 'a private address',
  loopback: 'a loopback address',
  cgnat: 'a carrier-grade NAT (shared) address',
  link_local: 'a link-local address',
  metadata: 'a cloud metadata endpoint',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  unspecified: 'an unspecified ("this host") address',
  reserved: 'a reserved or non-routable address',
};

/** The classes the local-development allowance admits besides public addresses. */
const ALLOWED_LOCALLY: ReadonlySet<AddressClass> = new Set(['private', 'loopback', 'cgnat']);

export const MAX_WEBHOOK_URL_LENGTH = 2048;

// ── IPv4 ────────────────────────────────────────────────────────────────────────────────────

/** Most specific first: the first matching range decides. */
const V4_RANGES: readonly [string, number, AddressClass][] = [
  ['169.254.169.254', 32, 'metadata'], // EC2/ECS/most clouds' instance metadata (aws-cn too)
  ['169.254.170.2', 32, 'metadata'], // ECS task metadata and credentials
  ['100.100.100.200', 32, 'metadata'], // Alibaba Cloud instance metadata
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'reserved'], // documentation
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // documentation
  ['203.0.113.0', 24, 'reserved'], // documentation
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** Strict dotted-quad → 32-bit number, or undefined. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

const V4_TABLE = V4_RANGES.map(([base, bits, cls]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (parseIPv4(base)! & mask) >>> 0, mask, cls };
});

function classifyV4(value: number): AddressClass {
  for (const r of V4_TABLE) if ((value & r.mask) >>> 0 === r.net) return r.cls;
  return 'public';
}

// ── IPv6 ────────────────────────────────────────────────────────────────────────────────────

/** IPv6 text (zone id and brackets tolerated) → 128-bit value, or undefined. */
export function parseIPv6(text: string): bigint | undefined {
  let s = text.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  // A trailing dotted quad carries the last 32 bits.
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    s = `${s.slice(0, lastColon + 1)}${tail.length ? '0:0' : ''}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...Array<string>(8 - total).fill('0'), ...rest];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tail.length) value = (value & ~0xffffffffn) | (BigInt(tail[0]!) << 16n) | BigInt(tail[1]!);
  return value;
}

type V6Rule = { net: bigint; bits: number; cls: AddressClass | 'embedded-low32' | 'embedded-6to4' };

const v6 = (text: string, bits: number, cls: V6Rule['cls']): V6Rule => ({
  net: parseIPv6(text)!,
  bits,
  cls,
});

/** Most specific first. Outside 2000::/3 (global unicast) everything unmatched is reserved. */
const V6_RULES: readonly V6Rule[] = [
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('fd00:ec2::254', 128, 'metadata'), // EC2 instance metadata over IPv6
  v6('::ffff:0:0', 96, 'embedded-low32'), // IPv4-mapped
  v6('64:ff9b::', 96, 'embedded-low32'), // NAT64 well-known prefix
  v6('64:ff9b:1::', 48, 'private'), // local-use NAT64
  v6('::', 96, 'reserved'), // IPv4-compatible (deprecated)
  v6('100::', 64, 'reserved'), // discard-only
  v6('2001:db8::', 32, 'reserved'), // documentation
  v6('2001::', 32, 'reserved'), // Teredo: tunnels to an address we cannot see
  v6('2002::', 16, 'embedded-6to4'),
  v6('3fff::', 20, 'reserved'), // documentation
  v6('fc00::', 7, 'private'), // unique local
  v6('fe80::', 10, 'link_local'),
  v6('fec0::', 10, 'private'), // site-local (deprecated)
  v6('ff00::', 8, 'multicast'),
];

function inPrefix(value: bigint, net: bigint, bits: number): boolean {
  const shift = BigInt(128 - bits);
  return value >> shift === net >> shift;
}

function classifyV6(value: bigint): AddressClass {
  for (const r of V6_RULES) {
    if (!inPrefix(value, r.net, r.bits)) continue;
    if (r.cls === 'embedded-low32') return classifyV4(Number(value & 0xffffffffn));
    if (r.cls === 'embedded-6to4') return classifyV4(Number((value >> 80n) & 0xffffffffn));
    return r.cls;
  }
  return inPrefix(value, 0x2000n << 112n, 3) ? 'public' : 'reserved';
}

// ── Public API ──────────────────────────────────────────────────────────────────────────────

/** The class of an IP address (v4 or v6), or undefined when `ip` is not an IP address. */
export function classifyAddress(ip: string): AddressClass | undefined {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return classifyV4(v4);
  const v6value = parseIPv6(ip);
  return v6value === undefined ? undefined : classifyV6(v6value);
}

export function isAllowedAddress(ip: string, allowPrivate: boolean): boolean {
  const cls = classifyAddress(ip);
  return cls === 'public' || (allowPrivate && cls !== undefined && ALLOWED_LOCALLY.has(cls));
}

/** One problem per refused address (none when every address is allowed). */
export function addressProblems(
  host: string,
  addresses: readonly string[],
  allowPrivate: boolean,
  path = '/url',
): Problem[] {
  return addresses
    .filter((a) => !isAllowedAddress(a, allowPrivate))
    .map((a) => {
      const cls = classifyAddress(a);
      const what = cls ? DESCRIPTION[cls] : 'not a valid address';
      return {
        path,
        code: 'address_not_allowed',
        message:
          a === host
            ? `The host ${a} is ${what}; webhooks must point to a public address.`
            : `The host "${host}" resolves to ${a}, ${what}; webhooks must point to a public address.`,
      };
    });
}

export interface UrlCheck {
  readonly problems: readonly Problem[];
  /** The parsed URL when it is well-formed. */
  readonly url?: URL;
  /** The host as connected to: an IP address (brackets removed) or a name to resolve. */
  readonly host?: string;
  readonly isIpLiteral?: boolean;
}

/**
 * Every problem of a callback URL that can be known without DNS: not a string, too long, not a
 * URL, not https (http only with the allowance), credentials in it, an IP-literal host that is not
 * public. A host name still has to be resolved and its addresses checked (`addressProblems`).
 */
export function checkWebhookUrl(raw: unknown, options: { allowPrivate: boolean }, path = '/url'): UrlCheck {
  if (typeof raw !== 'string' || raw.trim() === '')
    return { problems: [{ path, code: 'required', message: 'A callback URL (https://…) is required.' }] };
  if (raw.length > MAX_WEBHOOK_URL_LENGTH)
    return {
      problems: [
        { path, code: 'too_long', message: `The URL exceeds ${MAX_WEBHOOK_URL_LENGTH} characters.` },
      ],
    };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problems: [{ path, code: 'invalid_url', message: 'This is not an absolute URL.' }] };
  }
  const problems: Problem[] = [];
  const schemes = options.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol))
    problems.push({
      path,
      code: 'https_required',
      message: `Webhooks are delivered over https only (got "${url.protocol.replace(/:$/, '')}").`,
    });
  if (url.username || url.password)
    problems.push({
      path,
      code: 'credentials_in_url',
      message: 'Put no user name or password in the URL; verify our signature instead.',
    });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '')
    return { problems: [...problems, { path, code: 'invalid_url', message: 'The URL has no host.' }] };
  const isIpLiteral = classifyAddress(host) !== undefined;
  if (isIpLiteral) problems.push(...addressProblems(host, [host], options.allowPrivate, path));
  return { problems, url, host, isIpLiteral };
}
