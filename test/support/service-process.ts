import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AddressInfo, Socket, createServer } from 'node:net';
import { resolve } from 'node:path';
import { Env } from '@reeltime/config';
import { SERVICE_ENTRY, SERVICE_NODE_ARGS } from '../../tools/launcher/build';
import { waitFor } from './app';
import { TestNamespace } from './namespace';

const ROOT = resolve(__dirname, '..', '..');

/** Whether a service could listen on this port (on every address, as the services do). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, () => server.close(() => resolveFree(true)));
  });
}

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}
/** fetch's TypeError says only "fetch failed"; the cause says why (ECONNREFUSED, a reset, a timeout). */
function describeFetchError(err: Error): string {
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}

export type ServiceName = 'producer' | 'consumer' | 'query';

/**
 * Children still running, killed when the test process exits so a failed test leaks none. Kept on
 * globalThis: Jest loads this module once per test file, and one exit hook is enough.
 */
const LIVE = Symbol.for('reeltime.test.liveChildren');
const holder = globalThis as { [LIVE]?: Set<ChildProcess> };
const live = (holder[LIVE] ??= (() => {
  const children = new Set<ChildProcess>();
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  return children;
})());

/**
 * One service as a separate process, started the way `npm start` starts it (the compiled
 * dist/apps/<name>/src/main.js), so a test can SIGTERM or kill -9 it.
 */
export class ServiceProcess {
  readonly output: string[] = [];
  /** Characters of output ever received; `text` holds the last of them, starting at `dropped`. */
  private received = 0;
  private dropped = 0;
  private text = '';
  private readonly listeners = new Set<() => void>();
  private ended = false;
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  /** The settings it runs with: a copy, whose port start() may move (see there). */
  readonly env: Env;

  /** `main`: the compiled entry point, relative to the repository root (default: `npm run build`'s). */
  constructor(
    readonly name: ServiceName,
    env: Env,
    private readonly main: string = SERVICE_ENTRY(name),
  ) {
    this.env = { ...env };
  }

  get port(): number {
    return Number(this.env[`${this.name.toUpperCase()}_PORT`]);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const main = resolve(ROOT, this.main);
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first (npm test does)`);
    // Other checkouts run services on this machine too. A port someone else holds would make the
    // health check below answer for that process while this one exits with EADDRINUSE.
    if (!(await portFree(this.port))) this.env[`${this.name.toUpperCase()}_PORT`] = String(await freePort());
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS(this.name), main], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.ended = false;
    const keep = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.output.push(text);
      if (this.output.length > 2000) this.output.splice(0, 1000);
      this.received += text.length;
      this.text += text;
      if (this.text.length > 4_000_000) {
        this.dropped += this.text.length - 2_000_000;
        this.text = this.text.slice(-2_000_000);
      }
      for (const listener of [...this.listeners]) listener();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    live.add(child);
    // A child a failed test never stopped must not keep Jest from exiting (the exit hook kills it).
    child.unref();
    (child.stdout as Socket | null)?.unref();
    (child.stderr as Socket | null)?.unref();
    this.exited = new Promise((r) =>
      child.on('exit', (code) => {
        live.delete(child);
        this.ended = true;
        r(code);
        for (const listener of [...this.listeners]) listener();
      }),
    );
    const spawnedAt = Date.now();
    let health = 'no answer';
    const state = await waitFor(
      `${this.name} /health`,
      async () => {
        if (child.exitCode !== null) return 'exited';
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
          health = `no answer (${describeFetchError(err)})`;
          return undefined;
        });
        if (res && res.status !== 200) health = `${res.status} ${await res.text()}`;
        return res?.status === 200 ? 'healthy' : undefined;
      },
      60_000,
      200,
    ).catch(async (err: Error) => {
      // Whoever reads the failure needs what the service was doing, not only that it was late.
      const held = await portFree(this.port).then((free) =>
        free ? 'nobody listens on it' : 'something listens on it',
      );
      throw new Error(
        `${err.message} (pid ${child.pid}, port ${this.port}: ${held}, spawned at ${new Date(spawnedAt).toISOString()}); ` +
          `last /health: ${health.slice(0, 500)}\n${this.log().slice(-4000)}`,
      );
    });
    if (state === 'exited') throw new Error(`${this.name} exited during start-up:\n${this.log().slice(-2000)}`);
  }

  /** SIGTERM (or `signal`) and the exit code. */
  async stop(timeoutMs = 60_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.waitExit(timeoutMs);
  }

  /** Sends a signal and returns at once (a test that sends a second one waits with stop()). */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** kill -9: no flush, no commit, no goodbye. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.waitExit(10_000);
  }

  private async waitExit(timeoutMs: number): Promise<number | null> {
    let handle: NodeJS.Timeout | undefined;
    const timer = new Promise<'timeout'>((r) => (handle = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([this.exited!, timer]);
    clearTimeout(handle);
    if (result === 'timeout') {
      this.child!.kill('SIGKILL');
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms after SIGTERM`);
    }
    return result;
  }

  log(): string {
    return this.output.join('');
  }

  /** A position in the output, for `since` and `waitForOutput`. */
  mark(): number {
    return this.received;
  }

  /** The output received after a mark. */
  since(mark: number): string {
    return this.text.slice(Math.max(0, mark - this.dropped));
  }

  /**
   * Resolves as soon as `needle` appears in the output after `mark` (checked on every chunk, not by
   * polling, so a fault can be injected within a millisecond or two of a log line), with the
   * position just after it.
   */
  waitForOutput(needle: string, mark = this.received, timeoutMs = 60_000): Promise<number> {
    return new Promise((resolvePosition, reject) => {
      const check = (): void => {
        const from = Math.max(0, mark - this.dropped);
        const at = this.text.indexOf(needle, from);
        if (at >= 0) {
          done();
          resolvePosition(this.dropped + at + needle.length);
        } else if (this.ended) {
          done();
          reject(new Error(`${this.name} exited before logging ${needle}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} did not log ${needle} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }
}

/**
 * For a describe block: migrates the namespace and starts the service before its tests, kills the
 * service and drops the namespace after them.
 */
export function serviceForSuite(ns: TestNamespace, service: ServiceProcess): void {
  beforeAll(async () => {
    await ns.migrate();
    await service.start();
  });
  afterAll(async () => {
    await service.kill();
    await ns.drop();
  });
}
