import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_REASONS, deadLetterReason } from './dlq';
import { decodeRatingEvent } from './rating-event';
import { checkRatingKey } from './text';

const now = Date.parse('2026-11-21T10:30:00Z');
const options = { now, maxFutureSkewMs: 300_000, maxBytes: 4096 };
const event = (patch: Record<string, unknown>): Buffer =>
  Buffer.from(
    JSON.stringify({ id: randomUUID(), name: 'Alice', movie: 'Heat (1995)', rating: 8, time: now, ...patch }),
  );
const reasonOf = (value: Buffer | null): string => {
  const decoded = decodeRatingEvent(value, options);
  if (decoded.ok) throw new Error('expected a failure');
  return decoded.reason;
};

describe('deadLetterReason', () => {
  it.each([
    ['no_value', () => reasonOf(null)],
    ['no_value', () => reasonOf(Buffer.alloc(0))],
    ['too_large', () => reasonOf(Buffer.alloc(5000, 0x20))],
    ['not_utf8', () => reasonOf(Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]))],
    ['not_json', () => reasonOf(Buffer.from('{"id":'))],
    ['not_json', () => reasonOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), event({})]))],
    ['contract', () => reasonOf(Buffer.from('[1,2]'))],
    ['contract', () => reasonOf(Buffer.from('42'))],
    ['contract', () => reasonOf(event({ rating: 11 }))],
    ['contract', () => reasonOf(event({ id: 'x' }))],
    ['contract', () => reasonOf(event({ name: '' }))],
    ['contract', () => reasonOf(event({ movie: 'a'.repeat(301) }))],
    ['contract', () => reasonOf(event({ time: '2026-02-30T10:00:00Z' }))],
    ['contract', () => reasonOf(event({ time: undefined }))],
    ['future_time', () => reasonOf(event({ time: now + 3_600_000 }))],
    ['key', () => checkRatingKey(null, 'Alice')!],
    ['key', () => checkRatingKey(Buffer.from('Bob'), 'Alice')!],
    ['key', () => checkRatingKey(Buffer.from([0xff]), 'Alice')!],
  ])('classifies the decoder’s own reasons: %s', (kind, reason) => {
    expect(deadLetterReason(reason())).toBe(kind);
  });

  it('falls back to other for a text it does not know', () => {
    expect(deadLetterReason('invalid')).toBe('other');
    expect(DEAD_LETTER_REASONS).toContain('other');
  });
});
