import { SendBatcher, SendBatcherOptions, Timers } from './send-batcher';

/** Timers the test fires by hand. */
class ManualTimers implements Timers {
  time = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
    for (const [id, t] of [...this.pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.time) {
        this.pending.delete(id);
        t.fn();
      }
    }
  }
}

/** A send whose outcome the test decides, one batch at a time. */
class ControlledSend {
  readonly calls: number[][] = [];
  private settle: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  inFlight = 0;
  maxInFlight = 0;

  send = (batch: number[]): Promise<void> => {
    this.calls.push([...batch]);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => this.settle.push({ resolve, reject }));
  };

  async ack(): Promise<void> {
    this.inFlight -= 1;
    this.settle.shift()!.resolve();
    await flushMicrotasks();
  }

  async fail(): Promise<void> {
    this.inFlight -= 1;
    this.settle.shift()!.reject(new Error('broker gone'));
    await flushMicrotasks();
  }
}

const flushMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const OPTIONS: SendBatcherOptions = {
  maxBatch: 3,
  lingerMs: 5,
  maxPending: 6,
  retryDelayMs: 100,
  maxRetryDelayMs: 400,
};

function setup(options: Partial<SendBatcherOptions> = {}) {
  const timers = new ManualTimers();
  const sender = new ControlledSend();
  const sent: number[] = [];
  const errors: number[] = [];
  const batcher = new SendBatcher<number>(
    sender.send,
    { ...OPTIONS, ...options },
    { onSent: (n) => sent.push(n), onError: (_e, n) => errors.push(n) },
    timers,
  );
  return { timers, sender, sent, errors, batcher };
}

describe('SendBatcher', () => {
  it('waits the linger time for company, then sends what it has', () => {
    const { timers, sender, batcher } = setup();
    batcher.push(1);
    batcher.push(2);
    expect(sender.calls).toEqual([]);
    timers.advance(5);
    expect(sender.calls).toEqual([[1, 2]]);
  });

  it('sends at once when a batch is full, keeps one send in flight and batches what arrives meanwhile', async () => {
    const { sender, sent, batcher } = setup();
    [1, 2, 3].forEach((n) => batcher.push(n));
    expect(sender.calls).toEqual([[1, 2, 3]]);
    [4, 5, 6, 7].forEach((n) => batcher.push(n));
    expect(sender.calls).toHaveLength(1);
    await sender.ack();
    expect(sender.calls[1]).toEqual([4, 5, 6]);
    await sender.ack();
    expect(sender.calls[2]).toEqual([7]);
    await sender.ack();
    expect(sender.maxInFlight).toBe(1);
    expect(sent).toEqual([3, 3, 1]);
  });

  it('retries a failed batch unchanged and before anything newer, with a growing pause', async () => {
    const { timers, sender, errors, batcher } = setup();
    [1, 2, 3].forEach((n) => batcher.push(n));
    await sender.fail();
    batcher.push(4);
    expect(errors).toEqual([3]);
    timers.advance(99);
    expect(sender.calls).toHaveLength(1);
    timers.advance(1);
    expect(sender.calls[1]).toEqual([1, 2, 3]);
    await sender.fail();
    timers.advance(199);
    expect(sender.calls).toHaveLength(2);
    timers.advance(1);
    expect(sender.calls[2]).toEqual([1, 2, 3]);
    await sender.ack();
    expect(sender.calls[3]).toEqual([4]);
  });

  it('pushes back when too much is pending and lets go once acknowledged', async () => {
    const { sender, batcher } = setup();
    [1, 2, 3, 4, 5, 6].forEach((n) => batcher.push(n));
    expect(batcher.writable).toBe(false);
    let woken = false;
    void batcher.whenWritable().then(() => (woken = true));
    await flushMicrotasks();
    expect(woken).toBe(false);
    await sender.ack();
    expect(woken).toBe(true);
    expect(batcher.pending).toBe(3);
  });

  it('flush resolves only when everything accepted is acknowledged', async () => {
    const { sender, batcher } = setup();
    [1, 2, 3, 4].forEach((n) => batcher.push(n));
    let flushed = false;
    void batcher.flush().then(() => (flushed = true));
    await sender.ack();
    expect(flushed).toBe(false);
    await sender.ack();
    expect(flushed).toBe(true);
    expect(batcher.pending).toBe(0);
  });

  it('abandon reports how many events were never acknowledged', async () => {
    const { sender, batcher } = setup();
    [1, 2, 3, 4].forEach((n) => batcher.push(n));
    await sender.fail();
    expect(batcher.abandon()).toBe(4);
    expect(() => batcher.push(5)).toThrow(/abandoned/);
  });
});
