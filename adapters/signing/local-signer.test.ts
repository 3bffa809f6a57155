import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GetPublicKeyCommand, SignCommand, VerifyCommand } from '../aws/kms.ts';
import { type KmsSend, kmsSigner } from './kms-signer.ts';
import { localSigner } from './local-signer.ts';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: ReturnType<typeof p256>) => k.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const message = new TextEncoder().encode('{"licenseId":"c-abc.svc","documentSha256":"00"}');

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe('local license signer', () => {
  it('signs with ECDSA P-256 / SHA-256 and verifies its own DER signature', async () => {
    const signer = localSigner(pem(p256()));
    const signature = await signer.sign(message);
    expect(signer.algorithm).toBe('ECDSA_SHA_256');
    expect(signature[0]).toBe(0x30); // a DER SEQUENCE, the form KMS returns
    expect(await signer.verify(message, signature)).toBe(true);
  });

  it('refuses a message or signature with one flipped bit', async () => {
    const signer = localSigner(pem(p256()));
    const signature = await signer.sign(message);
    expect(await signer.verify(flipBit(message, 5), signature)).toBe(false);
    expect(await signer.verify(message, flipBit(signature, signature.length - 1))).toBe(false);
    expect(await signer.verify(message, flipBit(signature, 1))).toBe(false); // broken DER length
  });

  it('refuses a signature made by another key, and names each key by its fingerprint', async () => {
    const a = localSigner(pem(p256()));
    const b = localSigner(pem(p256()));
    expect(a.keyId).toMatch(/^local:[0-9a-f]{32}$/);
    expect(a.keyId).not.toBe(b.keyId);
    expect(await b.verify(message, await a.sign(message))).toBe(false);
  });

  it('gives the same key the same id, so persisted licenses keep verifying', () => {
    const key = pem(p256());
    expect(localSigner(key).keyId).toBe(localSigner(key).keyId);
  });

  it('refuses keys that are not P-256', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expect(() => localSigner(p384.toString())).toThrow(/P-256/);
    expect(() => localSigner(rsa.toString())).toThrow(/P-256/);
    expect(() => localSigner('not a key')).toThrow(/PEM/);
  });
});

/** A stand-in for KMS with a local key: what KMS does for an ECC_NIST_P256 SIGN_VERIFY key. */
function fakeKms(options: { publicKeyFails?: boolean } = {}) {
  const keys = p256();
  const local = localSigner(pem(keys));
  const calls: string[] = [];
  const kms = {
    async send(command: unknown) {
      calls.push((command as object).constructor.name);
      if (command instanceof GetPublicKeyCommand) {
        if (options.publicKeyFails)
          throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
        return {
          KeyId: command.input.KeyId,
          KeySpec: 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          PublicKey: new Uint8Array(keys.publicKey.export({ format: 'der', type: 'spki' })),
        };
      }
      if (command instanceof SignCommand) {
        expect(command.input).toMatchObject({ MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
        return { Signature: await local.sign(command.input.Message!) };
      }
      if (command instanceof VerifyCommand) {
        if (!(await local.verify(command.input.Message!, command.input.Signature!)))
          throw Object.assign(new Error('invalid'), { name: 'KMSInvalidSignatureException' });
        return { SignatureValid: true };
      }
      throw new Error('unexpected command');
    },
  } as unknown as KmsSend;
  return { kms, calls, local };
}

describe('KMS license signer (against a stand-in for KMS)', () => {
  const arn = 'arn:aws:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('verifies locally with the cached public key: one GetPublicKey, no Verify calls', async () => {
    const { kms, calls } = fakeKms();
    const signer = kmsSigner(arn, kms);
    const signature = await signer.sign(message);
    expect(await signer.verify(message, signature)).toBe(true);
    expect(await signer.verify(flipBit(message, 0), signature)).toBe(false);
    expect(calls).toEqual(['SignCommand', 'GetPublicKeyCommand']);
    expect(signer.keyId).toBe(arn);
  });

  it('accepts signatures made by the local signer with the same key (same format as KMS)', async () => {
    const { kms, local } = fakeKms();
    expect(await kmsSigner(arn, kms).verify(message, await local.sign(message))).toBe(true);
  });

  it('falls back to KMS Verify when the public key cannot be fetched', async () => {
    const { kms, calls } = fakeKms({ publicKeyFails: true });
    const signer = kmsSigner(arn, kms);
    const signature = await signer.sign(message);
    expect(await signer.verify(message, signature)).toBe(true);
    expect(await signer.verify(message, flipBit(signature, signature.length - 1))).toBe(false);
    expect(calls.filter((c) => c === 'VerifyCommand')).toHaveLength(2);
  });
});
