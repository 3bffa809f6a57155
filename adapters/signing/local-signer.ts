/**
 * The license signer for a laptop or CI: the same algorithm as the KMS key (ECDSA on P-256 over
 * SHA-256, DER signatures), from a PKCS#8 PEM private key, with node:crypto. Licenses it signs
 * verify exactly like KMS-signed ones, so the rest of the system cannot tell the difference.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { LicenseSigner } from '#core/licenses/ports.ts';

export function localSigner(privateKeyPem: string): LicenseSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch (err) {
    throw new Error('LOCAL_SIGNING_KEY is not a PEM private key (expected base64 of a PKCS#8 PEM).', {
      cause: err,
    });
  }
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (privateKey.asymmetricKeyType !== 'ec' || curve !== 'prime256v1')
    throw new Error(
      `LOCAL_SIGNING_KEY must be an EC P-256 key (got ${privateKey.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}).`,
    );
  const publicKey = createPublicKey(privateKey);
  // The key id names the public key itself, so a license signed by an earlier (random) local key
  // is recognised as such instead of failing verification for an unclear reason.
  const fingerprint = createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 32);

  return {
    keyId: `local:${fingerprint}`,
    algorithm: 'ECDSA_SHA_256',
    async sign(message) {
      return new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }));
    },
    async verify(message, signature) {
      try {
        return verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature);
      } catch {
        return false; // malformed DER is simply not a valid signature
      }
    },
  };
}
