/**
 * Rule 7: the public key of a signing key was fetched: signatures may be verified outside KMS. Deleting the key
 * stops no outside verification, only new signatures, so people judge (alert), after the rules that cancel on use.
 */
import { NOT_APPLICABLE, type DeletionRule } from '../rule.js';
import { publicKeyExport } from './public-key-exported.js';

export const publicKeyExportedSigning: DeletionRule = (evidence) => {
  const facts = publicKeyExport(evidence);
  if (facts === undefined || evidence.keyUsage !== 'SIGN_VERIFY') return NOT_APPLICABLE;
  return { applies: true, action: 'alert', reason: 'public-key-exported', facts };
};
