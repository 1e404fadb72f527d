export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * FNV-1a (32 bits) over the UTF-16 code units: cheap and stable across processes and versions, unlike
 * any runtime hash, so what it places (a viewer's producer lane, a row's bucket) stays put.
 */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/** Which of `buckets` places `key` goes to, by FNV-1a. */
export function bucketOf(key: string, buckets: number): number {
  return fnv1a32(key) % buckets;
}
