import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, classifyAddress, isAllowedAddress, parseIPv6 } from './url-policy.ts';

const strict = { allowPrivate: false };
const local = { allowPrivate: true };
const codes = (url: unknown, options = strict) => checkWebhookUrl(url, options).problems.map((p) => p.code);

describe('addresses webhooks may reach', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.1.1', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'private'],
    ['fdab:1234::1', 'private'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:0a00:0001::1', 'private'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['2400:3200::1', 'public'],
    ['::127.0.0.1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('classifies %s as %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('is not fooled by names, short forms or junk', () => {
    for (const text of [
      'localhost',
      '127.1',
      '0x7f.0.0.1',
      '1.2.3.4.5',
      '256.0.0.1',
      '01.2.3.4',
      '1:2:3',
      ':::',
    ])
      expect(classifyAddress(text)).toBeUndefined();
  });

  it('allows private and loopback addresses only under the local allowance, metadata never', () => {
    expect(isAllowedAddress('10.0.0.1', false)).toBe(false);
    expect(isAllowedAddress('10.0.0.1', true)).toBe(true);
    expect(isAllowedAddress('::1', true)).toBe(true);
    expect(isAllowedAddress('169.254.169.254', true)).toBe(false);
    expect(isAllowedAddress('fe80::1', true)).toBe(false);
    expect(isAllowedAddress('0.0.0.0', true)).toBe(false);
  });

  it('parses every IPv6 text form of the same address to one value', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16)).join(':');
        const padded = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        expect(parseIPv6(padded)).toBe(parseIPv6(full));
        expect(parseIPv6(`[${full.toUpperCase()}]`)).toBe(parseIPv6(full));
      }),
    );
  });
});

describe('webhook URLs', () => {
  it('accepts an https URL with a public or named host', () => {
    expect(codes('https://hooks.portal.example.cn/yijianshi?x=1')).toEqual([]);
    expect(codes('https://8.8.8.8/hook')).toEqual([]);
    expect(checkWebhookUrl('https://Hooks.Example.CN:8443/a', strict)).toMatchObject({
      host: 'hooks.example.cn',
      isIpLiteral: false,
    });
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', ['https_required', 'address_not_allowed']],
    ['http://10.0.0.1/', ['https_required', 'address_not_allowed']],
    ['https://[::1]/', ['address_not_allowed']],
    ['https://[fd00:ec2::254]/', ['address_not_allowed']],
    ['https://[::ffff:10.0.0.1]/', ['address_not_allowed']],
    ['https://127.0.0.1:8443/hook', ['address_not_allowed']],
    // WHATWG URL parsing normalises these to 127.0.0.1 before the check sees them.
    ['https://2130706433/', ['address_not_allowed']],
    ['https://0x7f.1/', ['address_not_allowed']],
    ['https://100.100.100.200/', ['address_not_allowed']],
    ['https://0.0.0.0/', ['address_not_allowed']],
    ['ftp://example.cn/', ['https_required']],
    ['https://user:pass@example.cn/', ['credentials_in_url']],
    ['not a url', ['invalid_url']],
    ['', ['required']],
    [42, ['required']],
    [`https://example.cn/${'a'.repeat(2048)}`, ['too_long']],
  ])('refuses %s without the local allowance', (url, expected) => {
    expect(codes(url)).toEqual(expected);
  });

  it('allows http and loopback receivers under the local allowance, but not metadata endpoints', () => {
    expect(codes('http://127.0.0.1:4000/hook', local)).toEqual([]);
    expect(codes('http://10.0.0.1/', local)).toEqual([]);
    expect(codes('http://169.254.169.254/', local)).toEqual(['address_not_allowed']);
  });

  it('says what is wrong with the address', () => {
    const [problem] = checkWebhookUrl('https://169.254.169.254/', strict).problems;
    expect(problem).toMatchObject({ path: '/url', code: 'address_not_allowed' });
    expect(problem!.message).toContain('metadata');
  });
});
