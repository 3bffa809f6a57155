/**
 * The license signer of this container, chosen once at init from the environment:
 * SIGNING_KEY_ARN (an AWS KMS key — deployments) or LOCAL_SIGNING_KEY (base64 of a PKCS#8 PEM —
 * `npm start` and tests). Exactly one must be set; anything else fails at init, not at the first
 * license.
 */

import { recordCallsOf, recordStandIn } from '#adapters/aws-call-recorder.ts';
import type { LicenseSigner } from '#core/licenses/ports.ts';
import { KMSClient } from '../aws/kms.ts';
import { config } from '../config.ts';
import { kmsSigner } from './kms-signer.ts';
import { localSigner } from './local-signer.ts';

const kmsClients = new Map<string, KMSClient>();
/** One client per region; the key's own region, read from its ARN, so any key can be verified. */
function kmsClientFor(keyArn: string): KMSClient {
  const region = keyArn.split(':')[3] || undefined;
  const k = region ?? '';
  let client = kmsClients.get(k);
  if (!client) {
    client = recordCallsOf('kms', new KMSClient(region ? { region } : {}));
    kmsClients.set(k, client);
  }
  return client;
}

function chooseSigner(): LicenseSigner {
  const { SIGNING_KEY_ARN: arn, LOCAL_SIGNING_KEY: local } = config();
  if (arn && local)
    throw new Error('Set SIGNING_KEY_ARN or LOCAL_SIGNING_KEY, not both: licenses need one signer.');
  if (arn) return kmsSigner(arn, kmsClientFor(arn));
  if (local) return standingInForKms(localSigner(Buffer.from(local, 'base64').toString('utf8')));
  throw new Error(
    'No license signing key: set SIGNING_KEY_ARN (KMS key ARN) or LOCAL_SIGNING_KEY (base64 PKCS#8 PEM).',
  );
}

/**
 * The local key stands in for the KMS key: its uses are recorded as the KMS calls they replace
 * (kms:Sign; verifying starts with kms:GetPublicKey), so the IAM proof sees who signs and verifies.
 */
function standingInForKms(local: LicenseSigner): LicenseSigner {
  return {
    keyId: local.keyId,
    algorithm: local.algorithm,
    sign(message) {
      recordStandIn('kms', 'Sign', {}, 'local signer');
      return local.sign(message);
    },
    verify(message, signature) {
      recordStandIn('kms', 'GetPublicKey', {}, 'local signer');
      return local.verify(message, signature);
    },
  };
}

let chosen: LicenseSigner | undefined;
const current = () => {
  chosen ??= chooseSigner();
  return chosen;
};

/**
 * The signer of this deployment, chosen from the configuration at its first use (not at import:
 * the route table loads every handler module to read its spec, with no configuration at all).
 */
export const signer: LicenseSigner = {
  get keyId() {
    return current().keyId;
  },
  algorithm: 'ECDSA_SHA_256',
  sign: (message) => current().sign(message),
  verify: (message, signature) => current().verify(message, signature),
};

const verifiers = new Map<string, LicenseSigner>();

/**
 * The key a license names (its keyId), to verify it with — which may be an earlier KMS key than
 * the one signing today. Undefined when that key cannot be used here (an earlier local key).
 */
export function verifierFor(keyId: string): LicenseSigner | undefined {
  if (keyId === current().keyId) return current();
  let v = verifiers.get(keyId);
  if (!v && keyId.startsWith('arn:')) {
    v = kmsSigner(keyId, kmsClientFor(keyId));
    verifiers.set(keyId, v);
  }
  return v;
}
