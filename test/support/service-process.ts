import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { Env } from '@reeltime/config';
import { SERVICE_NODE_ARGS } from '../../tools/launcher/build';
import { waitFor } from './app';

const ROOT = resolve(__dirname, '..', '..');
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
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(
    readonly name: ServiceName,
    readonly env: Env,
  ) {}

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
    const main = resolve(ROOT, 'dist', 'apps', this.name, 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first (npm test does)`);
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS(this.name), main], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 2000) this.output.splice(0, 1000);
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
        r(code);
      }),
    );
    const state = await waitFor(
      `${this.name} /health`,
      async () => {
        if (child.exitCode !== null) return 'exited';
        const res = await fetch(`${this.url}/health`).catch(() => undefined);
        return res?.status === 200 ? 'healthy' : undefined;
      },
      60_000,
      200,
    );
    if (state === 'exited') throw new Error(`${this.name} exited during start-up:\n${this.log().slice(-2000)}`);
  }

  /** SIGTERM and the exit code. */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    return this.waitExit(timeoutMs);
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
}
