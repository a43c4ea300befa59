/**
 * A short, stable fingerprint of an eventID for dedupe rings: 53 bits of FNV-1a (two 32-bit lanes),
 * base-36, at most 11 characters. Collisions in a ring of a few thousand are vanishingly rare (~1e-9).
 */
export const fingerprint = (value: string): string => {
  let high = 0x811c9dc5;
  let low = 0x050c5d1f;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    high = Math.imul(high ^ code, 0x01000193);
    low = Math.imul(low ^ code, 0x01000193) ^ (high >>> 15);
  }
  // 21 bits of the high lane and 32 of the low lane fit a double exactly.
  return ((high >>> 11) * 2 ** 32 + (low >>> 0)).toString(36);
};
