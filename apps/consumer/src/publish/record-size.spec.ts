import { createHash } from 'node:crypto';
import { chunkRecords, fitRecord, recordBytes } from './record-size';

const bytes = (n: number, fill = 0x61): Buffer => Buffer.alloc(n, fill);
const headers = { error: 'value is larger than 4096 bytes', 'source-topic': 'ratings', 'source-offset': '12' };

describe('chunkRecords', () => {
  it('keeps every send under the budget, in order, with every record once', () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ key: 'one key', value: bytes(5000 + i), headers }));
    const chunks = chunkRecords(records, 100_000);
    expect(chunks.flat()).toEqual(records);
    for (const chunk of chunks) {
      // The budget bounds the sum of the records' own bytes, computed here independently of recordBytes' overheads.
      const raw = chunk.reduce((sum, r) => sum + r.value.length + r.key.length, 0);
      expect(raw).toBeLessThanOrEqual(100_000);
      expect(chunk.reduce((sum, r) => sum + recordBytes(r), 0)).toBeLessThanOrEqual(100_000);
    }
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil((300 * 5000) / 100_000));
  });

  it('gives a record larger than the budget a send of its own', () => {
    const chunks = chunkRecords(
      [
        { key: null, value: bytes(10) },
        { key: null, value: bytes(500) },
      ],
      100,
    );
    expect(chunks.map((c) => c.length)).toEqual([1, 1]);
  });
});

describe('fitRecord', () => {
  it('returns a record that fits unchanged', () => {
    const r = { key: Buffer.from('Alice'), value: bytes(1000), headers };
    expect(fitRecord(r, 10_000)).toBe(r);
  });

  it('cuts a value that does not fit and says what was cut', () => {
    const value = bytes(1_000_000, 0x7b);
    const fitted = fitRecord({ key: Buffer.from('Alice'), value, headers }, 50_000);
    expect(recordBytes(fitted)).toBeLessThanOrEqual(50_000);
    expect(fitted.key?.toString()).toBe('Alice');
    expect(fitted.value!.length).toBeGreaterThan(40_000);
    expect(value.subarray(0, fitted.value!.length).equals(fitted.value!)).toBe(true);
    expect(fitted.headers['original-size']).toBe('1000000');
    expect(fitted.headers['original-sha256']).toBe(createHash('sha256').update(value).digest('hex'));
    expect(fitted.headers.error).toBe(headers.error);
    expect(fitted.headers['original-key-size']).toBeUndefined();
  });

  it('cuts the key too when the key alone does not fit', () => {
    const key = bytes(80_000, 0x6b);
    const fitted = fitRecord({ key, value: bytes(10), headers }, 20_000);
    expect(recordBytes(fitted)).toBeLessThanOrEqual(20_000);
    expect(fitted.headers['original-key-size']).toBe('80000');
    expect(fitted.headers['original-key-sha256']).toBe(createHash('sha256').update(key).digest('hex'));
    expect(fitted.headers['original-size']).toBe('10');
  });

  it('handles a missing value', () => {
    const fitted = fitRecord({ key: bytes(5000), value: null, headers }, 1000);
    expect(recordBytes(fitted)).toBeLessThanOrEqual(1000);
    expect(fitted.headers['original-size']).toBe('0');
  });
});
