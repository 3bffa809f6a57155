/**
 * verifyLicense over in-memory ports and a P-256 key made here: intact files and a good signature
 * verify — signed alone (before manifests) or in the manifest of its issue; an altered file,
 * another key, an unknown algorithm, a tampered manifest or another license's entry do not; the
 * holder is shown, masked, only from intact data. Pure: no emulators.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identifierKeyer, verificationCodeDigest } from '../identity/keyed-ids.ts';
import { NotFoundError } from '../shared/errors.ts';
import { embeddedDataJson, type LicenseData, licenseHtml, sha256Hex, signedMessage } from './document.ts';
import { manifestEntry, manifestMessage, manifestOf } from './manifest.ts';
import type { IssuedLicense, LicenseSigner } from './ports.ts';
import { type VerifyLicenseDeps, verifyLicense } from './verify.ts';

function keyPair(
  keyId: string,
): Pick<LicenseSigner, 'verify'> & { keyId: string; sign(m: Uint8Array): Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    keyId,
    sign: (m) => sign('sha256', m, privateKey),
    verify: async (m, s) => verify('sha256', m, publicKey, s),
  };
}

const departments = (entries: [string, string][]) =>
  new Map(entries.map(([id, name]) => [id, { id, name }])) as VerifyLicenseDeps['catalog']['departments'];

const KEY = keyPair('local:key-1');
const OTHER = keyPair('local:key-2');
const LICENSE_ID = 'l-aaaaaaaaaaaaaaaaaaaaaaaaaa';
const SECRET = 'a-test-identifier-secret-of-32-bytes!!';
const CODE = '7K3M-9QX2';

const data: LicenseData = {
  licenseId: LICENSE_ID,
  verificationCode: CODE,
  caseId: 'c-aaaaaaaaaaaaaaaaaaaaaaaaaa',
  serviceId: 'business-license',
  serviceName: '营业执照',
  result: { kind: 'license', name: '营业执照' },
  holder: { kind: 'person', name: '张三丰', identifierType: 'idNumber', identifier: '1101**********7777' },
  issuer: { departmentId: 'market', name: '市场监督管理局' },
  issuedAt: '2026-11-20T02:00:00.000Z',
  catalogVersion: 't',
};

/**
 * A license as issued today (`embedded`: its data in its document, one object) or as issued before
 * 2026-12-03 (a document and a data file beside it, `dataKey`).
 */
function setup(options: { signWith?: typeof KEY; algorithm?: string; embedded?: boolean } = {}) {
  const encoder = new TextEncoder();
  const dataBytes = options.embedded
    ? encoder.encode(embeddedDataJson(data))
    : encoder.encode(JSON.stringify(data));
  const document = options.embedded
    ? encoder.encode(licenseHtml(data))
    : encoder.encode('<html>营业执照</html>');
  const files = new Map<string, Uint8Array>([['doc', document]]);
  if (!options.embedded) files.set('data', dataBytes);
  const unsigned = {
    licenseId: LICENSE_ID,
    caseId: data.caseId,
    serviceId: data.serviceId,
    name: '营业执照',
    departmentId: 'market',
    documentKey: 'doc',
    ...(options.embedded ? {} : { dataKey: 'data' }),
    documentSha256: sha256Hex(document),
    dataSha256: sha256Hex(dataBytes),
    verificationCodeDigest: verificationCodeDigest(SECRET, LICENSE_ID, CODE),
    algorithm: options.algorithm ?? 'ECDSA_SHA_256',
    keyId: KEY.keyId,
    issuedAt: data.issuedAt,
  };
  const license: IssuedLicense = {
    ...unsigned,
    signature: Buffer.from((options.signWith ?? KEY).sign(signedMessage(unsigned))).toString('base64'),
  };
  const asked: string[] = [];
  const deps: VerifyLicenseDeps = {
    store: { get: async (id: string) => (id === LICENSE_ID ? license : undefined) },
    files: { read: async (key: string) => files.get(key) },
    verifierFor: (keyId: string) => {
      asked.push(keyId);
      return keyId === KEY.keyId ? KEY : undefined;
    },
    catalog: { departments: departments([['market', '市场监督管理局']]) },
    keyer: identifierKeyer(SECRET),
  };
  return { deps, files, license, asked };
}

describe('verifyLicense', () => {
  it('verifies intact files signed by the key the license names, showing the holder masked', async () => {
    const { deps } = setup();
    expect(await verifyLicense(deps, LICENSE_ID, CODE)).toEqual({
      valid: true,
      licenseId: LICENSE_ID,
      serviceId: 'business-license',
      name: '营业执照',
      issuedAt: data.issuedAt,
      issuer: { id: 'market', name: '市场监督管理局' },
      holder: { kind: 'person', name: '张**', identifierType: 'idNumber', identifier: '1101**********7777' },
      checks: { documentIntact: true, dataIntact: true, signatureValid: true },
      algorithm: 'ECDSA_SHA_256',
      keyId: KEY.keyId,
    });
  });

  it('does not verify an altered document, but still shows the intact data', async () => {
    const { deps, files } = setup();
    files.set('doc', new TextEncoder().encode('<html>伪造</html>'));
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.valid).toBe(false);
    expect(v.checks).toEqual({ documentIntact: false, dataIntact: true, signatureValid: true });
    expect(v.holder).toBeDefined();
  });

  it('shows no holder from altered or missing data', async () => {
    const { deps, files } = setup();
    files.set(
      'data',
      new TextEncoder().encode(JSON.stringify({ ...data, holder: { ...data.holder, name: '李四' } })),
    );
    const altered = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(altered.checks.dataIntact).toBe(false);
    expect(altered).not.toHaveProperty('holder');
    files.delete('data');
    expect((await verifyLicense(deps, LICENSE_ID, CODE)).checks.dataIntact).toBe(false);
  });

  it('verifies a license that carries its data in its document, from that one object', async () => {
    const { deps, files } = setup({ embedded: true });
    const read: string[] = [];
    deps.files.read = async (key) => {
      read.push(key);
      return files.get(key);
    };
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.valid).toBe(true);
    expect(v.holder).toMatchObject({ name: '张**', identifier: '1101**********7777' });
    expect(read).toEqual(['doc']);
  });

  it('does not verify a document whose embedded data was altered, and shows no holder from it', async () => {
    const { deps, files } = setup({ embedded: true });
    const html = new TextDecoder().decode(files.get('doc'));
    files.set('doc', new TextEncoder().encode(html.replace('"张三丰"', '"李四"')));
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.checks).toEqual({ documentIntact: false, dataIntact: false, signatureValid: true });
    expect(v).not.toHaveProperty('holder');
    // Its data block gone, nothing is intact either.
    files.set('doc', new TextEncoder().encode(html.replace(/<script[\s\S]*<\/script>/, '')));
    expect((await verifyLicense(deps, LICENSE_ID, CODE)).checks.dataIntact).toBe(false);
  });

  it('does not verify a signature made by another key', async () => {
    const { deps } = setup({ signWith: OTHER });
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.checks).toEqual({ documentIntact: true, dataIntact: true, signatureValid: false });
    expect(v.valid).toBe(false);
  });

  it('fails the signature check for an algorithm it does not sign with, without looking for a key', async () => {
    const { deps, asked } = setup({ algorithm: 'RSASSA_PSS_SHA_256' });
    expect((await verifyLicense(deps, LICENSE_ID, CODE)).checks.signatureValid).toBe(false);
    expect(asked).toEqual([]);
  });

  it('fails the signature check when the named key cannot be used here', async () => {
    const { deps } = setup();
    const v = await verifyLicense({ ...deps, verifierFor: () => undefined }, LICENSE_ID, CODE);
    expect(v.checks.signatureValid).toBe(false);
  });

  it('names the issuer by id when the catalog no longer has it', async () => {
    const { deps } = setup();
    const v = await verifyLicense({ ...deps, catalog: { departments: departments([]) } }, LICENSE_ID, CODE);
    expect(v.issuer).toEqual({ id: 'market', name: 'market' });
  });

  it('answers 404 for an unknown license', async () => {
    const { deps } = setup();
    await expect(verifyLicense(deps, 'l-bbbbbbbbbbbbbbbbbbbbbbbbbb', CODE)).rejects.toThrow(NotFoundError);
  });

  it('verifies nothing from the id alone or with a wrong code: the same 404 as an unknown id', async () => {
    const { deps, asked } = setup();
    const unknown = await verifyLicense(deps, 'l-bbbbbbbbbbbbbbbbbbbbbbbbbb', CODE).catch((e: Error) => e);
    for (const code of [undefined, '', '7K3M-9QX3', 'not a code', `${CODE}0`]) {
      const err = await verifyLicense(deps, LICENSE_ID, code).catch((e: Error) => e);
      expect(err, String(code)).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toBe((unknown as Error).message);
      expect((err as Error).message).not.toContain(LICENSE_ID);
    }
    // Nothing of the license was read beyond its record: no key asked for.
    expect(asked).toEqual([]);
  });

  it('accepts the code as a person types it from paper (any case, a space for the hyphen)', async () => {
    const { deps } = setup();
    expect((await verifyLicense(deps, LICENSE_ID, '7k3m 9qx2')).valid).toBe(true);
  });
});

/** A sibling issued with the license: another id, other files. */
const sibling = (keyId = KEY.keyId) => ({
  licenseId: 'l-cccccccccccccccccccccccccc',
  documentSha256: sha256Hex(new TextEncoder().encode('<html>公章刻制备案</html>')),
  dataSha256: sha256Hex(new TextEncoder().encode('{"licenseId":"l-cccccccccccccccccccccccccc"}')),
  issuedAt: data.issuedAt,
  keyId,
});

/** The setup's license re-signed the way licenses are issued now: one signature over its issue's manifest. */
function inManifest(extra: { licenses?: ReturnType<typeof sibling>[]; signWith?: typeof KEY } = {}) {
  const s = setup();
  const { signature: _alone, ...unsigned } = s.license;
  const manifest = manifestOf([unsigned, ...(extra.licenses ?? [sibling()])]);
  const license: IssuedLicense = {
    ...unsigned,
    manifest,
    signature: Buffer.from((extra.signWith ?? KEY).sign(manifestMessage(manifest))).toString('base64'),
  };
  const current = { license };
  const deps: VerifyLicenseDeps = {
    ...s.deps,
    store: { get: async (id: string) => (id === LICENSE_ID ? current.license : undefined) },
  };
  return { ...s, deps, license, current };
}

describe('verifyLicense of a license signed in its issue manifest', () => {
  it('verifies a license whose entry is in the manifest its one signature covers', async () => {
    const { deps, license } = inManifest();
    expect(license.manifest).toHaveLength(2);
    expect(license.manifest).toContain(manifestEntry(license));
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.checks).toEqual({ documentIntact: true, dataIntact: true, signatureValid: true });
    expect(v.valid).toBe(true);
  });

  it('still verifies a license signed alone, before manifests (no manifest on its record)', async () => {
    const { deps, license } = setup();
    expect(license).not.toHaveProperty('manifest');
    expect((await verifyLicense(deps, LICENSE_ID, CODE)).valid).toBe(true);
  });

  it('does not verify a record whose manifest entries were tampered with', async () => {
    const { deps, current, license } = inManifest();
    const other = license.manifest!.find((e) => e !== manifestEntry(license))!;
    current.license = {
      ...license,
      manifest: license.manifest!.map((e) => (e === other ? 'f'.repeat(64) : e)),
    };
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.checks).toEqual({ documentIntact: true, dataIntact: true, signatureValid: false });
    expect(v.valid).toBe(false);
  });

  it('does not verify a record whose hashes were changed to match altered files', async () => {
    const { deps, current, license, files } = inManifest();
    const forged = new TextEncoder().encode('<html>伪造</html>');
    files.set('doc', forged);
    current.license = { ...license, documentSha256: sha256Hex(forged) };
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.checks).toEqual({ documentIntact: true, dataIntact: true, signatureValid: false });
  });

  it('does not verify a record that carries another license’s entry: the entry binds its license id', async () => {
    // The forger puts the sibling's file hashes on this record (and its files under this id), and
    // the signed manifest lists the sibling's entry — but not one for this license id.
    const { deps, current, license, files } = inManifest({ licenses: [sibling()] });
    const doc = new TextEncoder().encode('<html>公章刻制备案</html>');
    const dataFile = new TextEncoder().encode('{"licenseId":"l-cccccccccccccccccccccccccc"}');
    files.set('doc', doc);
    files.set('data', dataFile);
    current.license = { ...license, documentSha256: sha256Hex(doc), dataSha256: sha256Hex(dataFile) };
    expect(current.license.manifest).toContain(manifestEntry({ ...current.license, ...sibling() }));
    const v = await verifyLicense(deps, LICENSE_ID, CODE);
    expect(v.checks).toEqual({ documentIntact: true, dataIntact: true, signatureValid: false });
  });

  it('does not verify a record that borrows another issue’s manifest and signature', async () => {
    // A genuine manifest and signature, of licenses this one is not among.
    const { deps, current, license } = inManifest();
    const manifest = manifestOf([sibling()]);
    current.license = {
      ...license,
      manifest,
      signature: Buffer.from(KEY.sign(manifestMessage(manifest))).toString('base64'),
    };
    expect((await verifyLicense(deps, LICENSE_ID, CODE)).checks.signatureValid).toBe(false);
  });

  it('does not verify a manifest signed by another key', async () => {
    const { deps } = inManifest({ signWith: OTHER });
    expect((await verifyLicense(deps, LICENSE_ID, CODE)).checks.signatureValid).toBe(false);
  });

  it('does not accept a manifest signature as a signature of the license alone, nor the reverse', async () => {
    const inIssue = inManifest();
    const { manifest: _m, ...withoutManifest } = inIssue.license;
    inIssue.current.license = withoutManifest;
    expect((await verifyLicense(inIssue.deps, LICENSE_ID, CODE)).checks.signatureValid).toBe(false);
    const alone = setup();
    const s = inManifest();
    s.current.license = { ...alone.license, manifest: [manifestEntry(alone.license)] };
    expect((await verifyLicense(s.deps, LICENSE_ID, CODE)).checks.signatureValid).toBe(false);
  });
});
