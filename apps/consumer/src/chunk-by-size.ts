/**
 * Cuts items, in order, into chunks whose sizes add up to at most `budget`; an item larger than the
 * budget on its own gets a chunk of its own. Used wherever a server limits a request's size: Cassandra's
 * batch size threshold, Kafka's `max.message.bytes`.
 */
export function chunkBySize<T>(items: T[], budget: number, sizeOf: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > budget) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
