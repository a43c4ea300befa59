/** Modifier: neither the store nor KMS knows anything about the key beyond the event that triggered the decision. */
import { NOT_APPLICABLE, type DeletionModifier } from '../rule.js';

export const noEvidence: DeletionModifier = (evidence) =>
  evidence.sources.length === 0 ? { applies: true, reason: 'no-evidence', facts: { sources: [] } } : NOT_APPLICABLE;
