/**
 * The license signer in AWS: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) whose private half
 * never leaves KMS (电子印章). Sign goes to KMS with MessageType RAW (KMS hashes with SHA-256).
 * Verification is done here with the key's public half, fetched once per container and cached:
 * verification is a public endpoint and must not cost a KMS call each (quota, price); if the public
 * key cannot be fetched, KMS Verify is the fallback.
 */
import { createPublicKey, type KeyObject, verify as verifyLocally } from 'node:crypto';
import type { LicenseSigner } from '#core/licenses/ports.ts';
import { UnavailableError } from '#core/shared/errors.ts';
import type { OutputOf } from '../aws/json-client.ts';
import { GetPublicKeyCommand, SignCommand, type SignCommandOutput, VerifyCommand } from '../aws/kms.ts';

/** The part of KMSClient used here (a stub in tests). */
export interface KmsSend {
  send<C extends GetPublicKeyCommand | SignCommand | VerifyCommand>(command: C): Promise<OutputOf<C>>;
}

const ALGORITHM = 'ECDSA_SHA_256' as const;

/** `keyArn` must be a key ARN (not an alias): it is recorded on every license as its keyId. */
export function kmsSigner(keyArn: string, kms: KmsSend): LicenseSigner {
  let publicKey: Promise<KeyObject | undefined> | undefined;

  const loadPublicKey = async (): Promise<KeyObject | undefined> => {
    try {
      const r = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
      if (!r.PublicKey || r.KeySpec !== 'ECC_NIST_P256' || r.KeyUsage !== 'SIGN_VERIFY') return undefined;
      return createPublicKey({ key: Buffer.from(r.PublicKey), format: 'der', type: 'spki' });
    } catch {
      publicKey = undefined; // a transient failure: try again next time, use KMS Verify meanwhile
      return undefined;
    }
  };

  return {
    keyId: keyArn,
    algorithm: ALGORITHM,

    async sign(message) {
      let r: SignCommandOutput;
      try {
        r = await kms.send(
          new SignCommand({
            KeyId: keyArn,
            Message: message,
            MessageType: 'RAW',
            SigningAlgorithm: ALGORITHM,
          }),
        );
      } catch (err) {
        throw new UnavailableError('The signing key is unavailable; please retry.', { cause: err });
      }
      if (!r.Signature) throw new UnavailableError('KMS returned no signature.');
      return r.Signature;
    },

    async verify(message, signature) {
      publicKey ??= loadPublicKey();
      const key = await publicKey;
      if (key) {
        try {
          return verifyLocally('sha256', message, { key, dsaEncoding: 'der' }, signature);
        } catch {
          return false; // malformed DER
        }
      }
      try {
        const r = await kms.send(
          new VerifyCommand({
            KeyId: keyArn,
            Message: message,
            MessageType: 'RAW',
            Signature: signature,
            SigningAlgorithm: ALGORITHM,
          }),
        );
        return r.SignatureValid === true;
      } catch (err) {
        // KMS answers a wrong signature with an exception, not with SignatureValid: false.
        if ((err as { name?: string }).name === 'KMSInvalidSignatureException') return false;
        throw new UnavailableError('The signing key is unavailable; please retry.', { cause: err });
      }
    },
  };
}
