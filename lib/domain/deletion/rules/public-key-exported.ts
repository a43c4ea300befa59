/**
 * Rule 5a: the public key of an asymmetric encryption (or key agreement) key was fetched, so data may be encrypted
 * to it outside KMS, where CloudTrail cannot see it; deleting the key makes that data unreadable. Disabling proves
 * nothing here (such ciphertexts fail no call), so this rule comes before disabled-without-failures: cancel.
 */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import type { DeletionEvidence } from '../evidence.js';

const SYMMETRIC_SPEC = /^(SYMMETRIC_DEFAULT|HMAC_\d+)$/;

/** RSA_*, ECC_*, SM2, ML_DSA_*, ML_KEM_*: anything that is not symmetric or HMAC. */
export const isAsymmetricSpec = (keySpec: string): boolean => !SYMMETRIC_SPEC.test(keySpec);

/** The export facts, when the key's public key was fetched and the key is (or may be) asymmetric. */
export const publicKeyExport = (evidence: DeletionEvidence): Record<string, string> | undefined => {
  const exportedAt = evidence.publicKeyExportedAt;
  if (exportedAt === undefined) return undefined;
  // A successful GetPublicKey proves the key asymmetric when the spec is unknown.
  if (evidence.keySpec !== undefined && !isAsymmetricSpec(evidence.keySpec)) return undefined;
  return {
    lastPublicKeyExportAt: exportedAt,
    ...(evidence.keySpec === undefined ? {} : { keySpec: evidence.keySpec }),
    ...(evidence.keyUsage === undefined ? {} : { keyUsage: evidence.keyUsage }),
  };
};

export const publicKeyExported: DeletionRule = (evidence) => {
  const facts = publicKeyExport(evidence);
  if (facts === undefined || evidence.keyUsage === 'SIGN_VERIFY') return NOT_APPLICABLE;
  return { applies: true, action: 'cancel-deletion', reason: 'public-key-exported', facts };
};
