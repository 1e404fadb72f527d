import { Rating } from '@reeltime/contracts';
import { ManagedProcess } from '../../tools/infra/process';
import { ConsumerTestBed } from './consumer-bed';
import { waitFor } from './app';
import { Feeder, generateRatings, prng } from './ratings';
import { ServiceProcess } from './service-process';
import { sleep } from '@reeltime/runtime';

export { sleep };

/**
 * The load of a hard-fault test: `count` distinct events (10 % of them late, in the previous hour)
 * and the order to send them in, where about `repeatFraction` more are re-sends of an earlier event
 * (same id, same content), some right after the original and some much later.
 */
export function faultLoad(o: { count: number; users: number; seed: number; repeatFraction?: number }): {
  events: Rating[];
  sequence: Rating[];
} {
  const events = generateRatings({ users: o.users, count: o.count, seed: o.seed, lateFraction: 0.1 });
  const rnd = prng(o.seed + 1);
  const sequence: Rating[] = [];
  for (let i = 0; i < events.length; i++) {
    sequence.push(events[i]);
    if (rnd() < (o.repeatFraction ?? 0.08)) {
      const back = rnd() < 0.5 ? Math.floor(rnd() * 20) : Math.floor(rnd() * (i + 1));
      sequence.push(events[Math.max(0, i - back)]);
    }
  }
  return { events, sequence };
}

/**
 * Sends a sequence in slices in the background, so a consumer is busy when a fault hits. `stop()`
 * ends it after the slice in flight and returns what was not acknowledged by Kafka (a failed slice
 * included: it may or may not have been stored, so it is sent again later, as a producer would).
 */
export class BackgroundFeed {
  private next = 0;
  private stopped = false;
  private readonly running: Promise<void>;
  error?: unknown;

  constructor(
    private readonly feeder: Feeder,
    private readonly items: Rating[],
    private readonly slice = 200,
    private readonly pauseMs = 100,
  ) {
    this.running = this.run();
  }

  get sent(): number {
    return this.next;
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.next < this.items.length) {
      try {
        await this.feeder.send(this.items.slice(this.next, this.next + this.slice));
        this.next = Math.min(this.items.length, this.next + this.slice);
      } catch (err) {
        this.error = err;
        return;
      }
      await sleep(this.pauseMs);
    }
  }

  finished(): Promise<void> {
    return this.running;
  }

  async stop(): Promise<Rating[]> {
    this.stopped = true;
    await this.running;
    return this.items.slice(this.next);
  }
}

/** SIGSTOP / SIGCONT of a JVM this checkout started (the PID file and command line say so). */
export function signalJvm(process_: ManagedProcess, signal: 'SIGSTOP' | 'SIGCONT'): number {
  const pid = process_.pid();
  if (pid === undefined) throw new Error(`${process_.name} is not running`);
  process.kill(pid, signal);
  return pid;
}

/**
 * Waits for `count` flushes to complete and the next to start, and returns right after its
 * "flush started" line: the moment to inject a fault mid-flush.
 */
export async function nextFlushStart(consumer: ServiceProcess, completed = 1, timeoutMs = 60_000): Promise<number> {
  let at = consumer.mark();
  for (let i = 0; i < completed; i++) at = await consumer.waitForOutput('"msg":"flushed"', at, timeoutMs);
  return consumer.waitForOutput('"msg":"flush started"', at, timeoutMs);
}

/** Whether the flush that started before `mark` was still under way then: its next outcome came after. */
export function firstAfter(consumer: ServiceProcess, mark: number, needles: string[]): string | undefined {
  const text = consumer.since(mark);
  const hits = needles.map((n) => ({ n, at: text.indexOf(n) })).filter((h) => h.at >= 0);
  return hits.sort((a, b) => a.at - b.at)[0]?.n;
}

/** Committed offsets have reached the end of every partition of the ratings topic. */
export async function waitForZeroLag(bed: ConsumerTestBed, timeoutMs = 60_000): Promise<number> {
  const lag = await waitFor(
    'zero consumer lag',
    async () => {
      const l = await bed.kafka.lag(bed.ns.config.kafka.consumerGroup, bed.ns.config.kafka.topics.ratings);
      return l.every((p) => p.lag === 0) ? l : undefined;
    },
    timeoutMs,
    500,
  );
  return lag.reduce((s, p) => s + p.committed, 0);
}

/** For the report: how long the pipeline took from the fault to exact again. */
export function reportHeal(what: string, faultAt: number, exactAt: number): number {
  const ms = exactAt - faultAt;
  process.stderr.write(`[heal] ${what}: exact again ${(ms / 1000).toFixed(1)} s after the fault\n`);
  return ms;
}
