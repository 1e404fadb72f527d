/** Containers that never grow past a set size, so a page left open for days holds flat memory. */

/** The newest `capacity` items, newest first. */
export class Newest<T> {
  private items: T[] = [];
  constructor(readonly capacity: number) {}

  push(...added: T[]): void {
    for (const item of added) this.items.unshift(item);
    if (this.items.length > this.capacity) this.items.length = this.capacity;
  }

  all(): readonly T[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  clear(): void {
    this.items = [];
  }
}

/** A Map that forgets its oldest entries beyond `capacity` (insertion order; a set refreshes). */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.has(key)) this.delete(key);
    super.set(key, value);
    while (this.size > this.capacity) this.delete(this.keys().next().value as K);
    return this;
  }
}
