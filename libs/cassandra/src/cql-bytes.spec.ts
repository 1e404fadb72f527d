import { randomUUID } from 'node:crypto';
import * as driver from 'cassandra-driver';
import { intBytes, textBytes, timestampBytes, uuidBytes } from './cql-bytes';

/** The driver's own encoder (exported by the package, though not in its typings). */
interface DriverEncoder {
  encode(value: unknown, type: number): Buffer;
}
const Encoder = (driver as unknown as { Encoder: new (v: number, o: object) => DriverEncoder }).Encoder;
const encoder = new Encoder(4, {});
const { dataTypes } = driver.types;

describe('CQL value bytes, compared with cassandra-driver', () => {
  it('timestamp', () => {
    const values = [
      0,
      1,
      -1,
      1_700_000_000_123,
      -86_400_000 * 365 * 100,
      2 ** 32,
      2 ** 32 - 1,
      -(2 ** 32),
      253402300799999,
    ];
    for (let i = 0; i < 1000; i++) values.push(Math.round((Math.random() - 0.3) * 4e12));
    for (const ms of values) {
      expect(timestampBytes(ms)).toEqual(encoder.encode(new Date(ms), dataTypes.timestamp));
    }
    expect(() => timestampBytes(1.5)).toThrow(/whole milliseconds/);
  });

  it('uuid, in either case', () => {
    for (let i = 0; i < 1000; i++) {
      const id = randomUUID();
      expect(uuidBytes(id)).toEqual(encoder.encode(id, dataTypes.uuid));
      expect(uuidBytes(id.toUpperCase())).toEqual(encoder.encode(id, dataTypes.uuid));
    }
  });

  it.each([
    'not-a-uuid',
    '123e4567-e89b-12d3-a456-42661417400g',
    '123e4567e89b-12d3-a456-4266141740000',
    '123e4567-e89b-12d3-a456-4266141740\u0100\u0100',
  ])('uuid rejects %s', (bad) => {
    expect(() => uuidBytes(bad)).toThrow(/not a UUID/);
  });

  it('text and int', () => {
    for (const s of ['', 'Amélie (2001)', '千と千尋の神隠し', 'emoji 🎬', 'x'.repeat(300)]) {
      expect(textBytes(s)).toEqual(encoder.encode(s, dataTypes.text));
    }
    for (const n of [0, 1, 10, -1, 2 ** 31 - 1, -(2 ** 31)]) {
      expect(intBytes(n)).toEqual(encoder.encode(n, dataTypes.int));
    }
  });
});
