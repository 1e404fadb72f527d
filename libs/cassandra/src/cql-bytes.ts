/**
 * CQL native-protocol value encodings for the consumer's hot write path.
 *
 * cassandra-driver sends a Buffer bound to a prepared statement as the value's bytes unchanged, for
 * any column type. Encoding here lets one Buffer serve every row that shares a value (the user's name
 * and hour in a partition's batch, a movie title, a rating) and skips the driver's per-value Long,
 * Uuid and string conversions, which were a large part of the consumer's CPU and garbage at 40k
 * rows/s. The bytes must be exactly what the driver would produce: cql-bytes.spec.ts checks them
 * against the driver's own Encoder.
 */

const TWO_32 = 4_294_967_296;

/** `timestamp`: milliseconds since the epoch as a big-endian signed 64-bit integer. */
export function timestampBytes(ms: number): Buffer {
  if (!Number.isSafeInteger(ms)) throw new TypeError(`timestamp must be whole milliseconds, got ${ms}`);
  const buf = Buffer.allocUnsafe(8);
  const hi = Math.floor(ms / TWO_32);
  buf.writeInt32BE(hi, 0);
  buf.writeUInt32BE(ms - hi * TWO_32, 4);
  return buf;
}

/** `text`: UTF-8. */
export function textBytes(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** `int`: big-endian signed 32-bit. */
export function intBytes(n: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf.writeInt32BE(n, 0);
  return buf;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}
const nibble = (c: number): number => (c < 128 ? HEX[c] : -1);
const UUID_LENGTH = 36;
const isDash = (i: number): boolean => i === 8 || i === 13 || i === 18 || i === 23;

/** `uuid`: the 16 bytes of its canonical 8-4-4-4-12 hex form, parsed without intermediate strings. */
export function uuidBytes(id: string): Buffer {
  if (id.length !== UUID_LENGTH) throw new TypeError(`not a UUID: ${id}`);
  const buf = Buffer.allocUnsafe(16);
  let byte = 0;
  for (let i = 0; i < UUID_LENGTH;) {
    if (isDash(i)) {
      if (id.charCodeAt(i) !== 45) throw new TypeError(`not a UUID: ${id}`);
      i += 1;
      continue;
    }
    const a = nibble(id.charCodeAt(i));
    const b = nibble(id.charCodeAt(i + 1));
    if (a < 0 || b < 0) throw new TypeError(`not a UUID: ${id}`);
    buf[byte++] = (a << 4) | b;
    i += 2;
  }
  return buf;
}
