import { randomUUID } from 'node:crypto';
import { DeadLetterRecord } from './dead-letter-record';
import { replayVerdict } from './replay-check';

const now = Date.parse('2026-11-21T10:30:00Z');
const options = { now, maxFutureSkewMs: 300_000, maxBytes: 4096 };
const id = randomUUID();
const letter = (patch: Partial<DeadLetterRecord> & { event?: Record<string, unknown> }): DeadLetterRecord => ({
  sourceTopic: 'ratings',
  sourcePartition: 1,
  sourceOffset: 7,
  key: Buffer.from('Alice'),
  value: Buffer.from(
    JSON.stringify({ id, name: 'Alice', movie: 'Heat (1995)', rating: 8, time: now - 1000, ...patch.event }),
  ),
  error: 'message is 5000 bytes, more than the limit of 200',
  reason: 'too_large',
  at: now,
  truncated: false,
  where: 'dlq 1@3',
  ...patch,
});

describe('replayVerdict', () => {
  it('replays a whole letter that passes the contract and the key rule now', () => {
    expect(replayVerdict(letter({}), options)).toEqual({ replay: true, eventId: id });
  });

  it('refuses a letter that was cut to fit', () => {
    expect(replayVerdict(letter({ truncated: true }), options)).toEqual({ replay: false, why: 'truncated' });
  });

  it('refuses a letter that still breaks the contract, with the reason', () => {
    expect(replayVerdict(letter({ event: { rating: 11 } }), options)).toMatchObject({
      replay: false,
      why: 'invalid',
      reason: 'contract',
    });
    expect(replayVerdict(letter({ value: Buffer.from('{"x":') }), options)).toMatchObject({ reason: 'not_json' });
    expect(replayVerdict(letter({ event: { time: now + 3_600_000 } }), options)).toMatchObject({
      reason: 'future_time',
    });
  });

  it('refuses a letter whose key is not the name', () => {
    expect(replayVerdict(letter({ key: Buffer.from('Bob') }), options)).toMatchObject({ reason: 'key' });
    expect(replayVerdict(letter({ key: null }), options)).toMatchObject({ reason: 'key' });
  });
});
