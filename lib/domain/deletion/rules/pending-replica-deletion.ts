/** Modifier: a multi-Region primary waits for its replicas to be deleted first (no deletion date yet). */
import { NOT_APPLICABLE, type DeletionModifier } from '../rule.js';

export const pendingReplicaDeletion: DeletionModifier = (evidence) =>
  evidence.currentState === 'PendingReplicaDeletion'
    ? { applies: true, reason: 'pending-replica-deletion', facts: { keyState: evidence.currentState, multiRegionKeyType: evidence.multiRegionKeyType ?? 'PRIMARY' } }
    : NOT_APPLICABLE;
