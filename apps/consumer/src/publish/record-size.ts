import { createHash } from 'node:crypto';
import { DLQ_HEADERS } from '@reeltime/contracts';
import { chunkBySize } from '../chunk-by-size';

/** A Kafka record as the publisher sends it. */
export interface OutgoingRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** Set to bypass the partitioner. */
  partition?: number;
}

/**
 * Bytes a record can take in a record batch beyond its key, value and header bytes: attributes,
 * timestamp and offset deltas and the length varints (at most ~30), with room to spare.
 */
const RECORD_OVERHEAD = 64;
const HEADER_OVERHEAD = 10;
/** The record batch header (61 bytes) and the produce request around it, with room to spare. */
export const BATCH_OVERHEAD = 1024;

const length = (v: Buffer | string | null | undefined): number =>
  v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** An upper bound of the bytes a record takes in an uncompressed record batch. */
export function recordBytes(r: OutgoingRecord): number {
  let bytes = RECORD_OVERHEAD + length(r.key) + length(r.value);
  for (const [k, v] of Object.entries(r.headers ?? {})) bytes += HEADER_OVERHEAD + length(k) + length(v);
  return bytes;
}

/**
 * Cuts records into sends whose records add up to at most `budget` bytes. kafkajs puts all of a send's
 * records for one partition into one record batch, and the broker refuses a batch larger than the
 * topic's `max.message.bytes`: a send under the budget cannot have such a batch, whatever the keys.
 * A record larger than the budget on its own gets a send of its own (callers fit records first).
 */
export const chunkRecords = <T extends OutgoingRecord>(records: T[], budget: number): T[][] =>
  chunkBySize(records, budget, recordBytes);

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Makes a dead letter fit in `maxBytes`: a record that is already small enough is returned as it is;
 * otherwise its value (and, if that is not enough, its key) is cut, and headers `original-size` and
 * `original-sha256` (`original-key-size`, `original-key-sha256`) say what was cut, so an operator can
 * still match it against the source message, whose topic, partition and offset the headers carry.
 */
export function fitRecord(
  r: { key: Buffer | null; value: Buffer | null; headers: Record<string, string> },
  maxBytes: number,
): { key: Buffer | null; value: Buffer | null; headers: Record<string, string> } {
  if (recordBytes(r) <= maxBytes) return r;
  const headers = { ...r.headers };
  let key = r.key;
  const value = r.value ?? Buffer.alloc(0);
  headers[DLQ_HEADERS.originalSize] = String(value.length);
  headers[DLQ_HEADERS.originalSha256] = sha256(value);
  // 64 bytes of hex and two numbers: reserved so the key's headers, if they are needed, fit too.
  const keyHeaders = 2 * HEADER_OVERHEAD + 40 + 64 + 20;
  const withoutValue = recordBytes({ key, value: null, headers }) + keyHeaders;
  if (key && withoutValue > maxBytes) {
    headers[DLQ_HEADERS.originalKeySize] = String(key.length);
    headers[DLQ_HEADERS.originalKeySha256] = sha256(key);
    const room = Math.max(0, maxBytes - recordBytes({ key: null, value: null, headers }));
    key = key.subarray(0, Math.floor(room / 2));
  }
  const room = Math.max(0, maxBytes - recordBytes({ key, value: null, headers }));
  return { key, value: value.subarray(0, Math.min(value.length, room)), headers };
}
