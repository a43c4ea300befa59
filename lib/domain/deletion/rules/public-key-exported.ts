/**
 * Rule 7: the public key of an asymmetric key was fetched, so it may be in use outside KMS where CloudTrail
 * cannot see it. Data encrypted to it would become unreadable: cancel. Signatures only stop verifying in KMS: alert.
 */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';

const SYMMETRIC_SPEC = /^(SYMMETRIC_DEFAULT|HMAC_\d+)$/;

/** RSA_*, ECC_*, SM2, ML_DSA_*, ML_KEM_*: anything that is not symmetric or HMAC. */
export const isAsymmetricSpec = (keySpec: string): boolean => !SYMMETRIC_SPEC.test(keySpec);

export const publicKeyExported: DeletionRule = (evidence) => {
  const exportedAt = evidence.publicKeyExportedAt;
  if (exportedAt === undefined) return NOT_APPLICABLE;
  // A successful GetPublicKey proves the key asymmetric when the spec is unknown.
  if (evidence.keySpec !== undefined && !isAsymmetricSpec(evidence.keySpec)) return NOT_APPLICABLE;
  const facts = {
    lastPublicKeyExportAt: exportedAt,
    ...(evidence.keySpec === undefined ? {} : { keySpec: evidence.keySpec }),
    ...(evidence.keyUsage === undefined ? {} : { keyUsage: evidence.keyUsage }),
  };
  const action = evidence.keyUsage === 'SIGN_VERIFY' ? 'alert' : 'cancel-deletion';
  return { applies: true, action, reason: 'public-key-exported', facts };
};
