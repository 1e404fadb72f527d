import { randomUUID } from 'node:crypto';
import { decodeRatingEvent, encodeRatingEvent, checkRatingKey } from '@reeltime/contracts';
import { BenchResult, median, runIfMain, round } from './lib';

/**
 * CPU cost of the consumer's per-message contract check (decodeRatingEvent + the key check), with no
 * server: the producer's wire form for a mix of ASCII, accented and emoji names, decoded in a loop.
 * `npx tsx bench/decode.ts` prints it alone; `npm run bench` includes it.
 */
const MESSAGES = 20_000;
const ROUNDS = 25;
const RUNS = 5;

function messages(): Array<{ key: Buffer; value: Buffer }> {
  const names = ['Alice Smith', 'Zoë Ångström-Lefèvre', '山田 太郎', `${'🎬'.repeat(20)} fan`, 'user-12345'];
  const movies = ['Heat (1995)', 'Amélie (2001)', 'Spirited Away (千と千尋の神隠し) (2001)'];
  const now = Date.now();
  return Array.from({ length: MESSAGES }, (_, i) => {
    const name = names[i % names.length];
    const value = encodeRatingEvent({
      id: randomUUID(),
      name,
      movie: movies[i % movies.length],
      rating: 1 + (i % 10),
      time: now - (i % 3_600_000),
    });
    return { key: Buffer.from(name), value };
  });
}

export function run(): Promise<BenchResult> {
  const input = messages();
  const options = { now: Date.now() + 60_000, maxFutureSkewMs: 300_000, maxBytes: 4096 };
  const once = (): number => {
    let accepted = 0;
    for (const m of input) {
      const decoded = decodeRatingEvent(m.value, options);
      if (decoded.ok && checkRatingKey(m.key, decoded.rating.name) === undefined) accepted += 1;
    }
    return accepted;
  };
  for (let i = 0; i < 5; i++) once(); // warm-up: let V8 optimise the path first
  const runs: Array<Record<string, number>> = [];
  for (let r = 0; r < RUNS; r++) {
    const started = process.hrtime.bigint();
    let accepted = 0;
    for (let i = 0; i < ROUNDS; i++) accepted += once();
    const ns = Number(process.hrtime.bigint() - started);
    if (accepted !== MESSAGES * ROUNDS) throw new Error(`only ${accepted} of ${MESSAGES * ROUNDS} messages passed`);
    runs.push({ 'µs per message': round(ns / 1000 / (MESSAGES * ROUNDS), 3) });
  }
  return Promise.resolve({
    name: 'decode',
    method: `decodeRatingEvent + checkRatingKey over ${MESSAGES} producer-encoded messages × ${ROUNDS}, ${RUNS} runs, one core`,
    figures: { 'µs per message': round(median(runs.map((r) => r['µs per message'])), 3) },
    runs,
  });
}

runIfMain(module, run);
