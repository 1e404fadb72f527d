import { ChildProcess, spawn } from 'node:child_process';
import { WriteStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICE_ENTRY, SERVICE_NODE_ARGS } from './build';
import { FormatOptions, formatLogLine } from './log-format';
import { pollUntil } from '../infra/poll';
import { waitAtMost } from '@reeltime/runtime';

export type ServiceName = 'consumer' | 'query' | 'producer';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

export interface ServiceRunnerOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Where the formatted lines go (the terminal). */
  print: (line: string) => void;
  format: FormatOptions;
}

/** What /health said, shortened for a progress line: e.g. "503: kafka down (Connection error)". */
async function healthOf(url: string): Promise<{ ok: boolean; summary: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (res.status === 200) return { ok: true, summary: '200' };
    const body = (await res.json().catch(() => undefined)) as
      { error?: Record<string, { status?: string; message?: string }> } | undefined;
    const down = Object.entries(body?.error ?? {}).map(
      ([name, d]) => `${name} ${d.status ?? 'down'}${d.message ? ` (${d.message})` : ''}`,
    );
    return { ok: false, summary: `${res.status}${down.length ? `: ${down.join(', ')}` : ''}` };
  } catch (err) {
    return { ok: false, summary: `no answer yet (${(err as Error).message})` };
  }
}

/**
 * One service as a child process of the launcher: `node dist/apps/<name>/src/main.js` with the
 * launcher's environment. It runs in a process group of its own, so a Ctrl-C in the terminal reaches
 * only the launcher, which then stops the services in order (a terminal sends SIGINT to the whole
 * foreground group, which would stop all three at once). Its raw JSON log is appended to logFile;
 * the terminal gets one formatted line per log line.
 */
export class ServiceRunner {
  private child?: ChildProcess;
  private log?: WriteStream;
  private exit?: ExitInfo;
  private exitedPromise?: Promise<ExitInfo>;
  private readonly recent: string[] = [];
  /** Set once the launcher asked it to stop, so its exit is not reported as a crash. */
  stopping = false;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly options: ServiceRunnerOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves when the process has exited (for whatever reason). */
  get exited(): Promise<ExitInfo> {
    if (!this.exitedPromise) throw new Error(`${this.name} was never started`);
    return this.exitedPromise;
  }

  start(): number {
    const { root, env, logFile } = this.options;
    this.log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS(this.name), join(root, SERVICE_ENTRY(this.name))], {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitedPromise = new Promise((resolvePromise) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolvePromise(this.exit);
      });
    });
    child.on('error', (err) => this.options.print(`[${this.name}] could not start: ${err.message}`));
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
    if (child.pid === undefined) throw new Error(`could not start ${this.name}`);
    return child.pid;
  }

  private onLine(line: string): void {
    this.log?.write(`${line}\n`);
    this.recent.push(line);
    if (this.recent.length > 40) this.recent.shift();
    const out = formatLogLine(this.name, line, this.options.format);
    if (out !== undefined) this.options.print(out);
  }

  /** The last lines the service wrote, raw: shown when it dies. */
  tail(lines = 15): string {
    return this.recent.slice(-lines).join('\n');
  }

  /** Polls GET /health until 200; throws if the process exits first or the time runs out. */
  async waitHealthy(timeoutMs: number, progress: (line: string) => void): Promise<number> {
    const started = Date.now();
    let last = 'no answer yet';
    const healthy = async (): Promise<boolean> => {
      if (!this.running) throw new Error(`${this.name} exited during start-up (${describeExit(this.exit!)})`);
      const health = await healthOf(`${this.url}/health`);
      last = health.summary;
      return health.ok;
    };
    const report = (): void => progress(`still waiting for ${this.name} /health: ${last}`);
    if (await pollUntil(healthy, { timeoutMs, everyMs: 250, progress: { everyMs: 10_000, report } })) {
      return Date.now() - started;
    }
    throw new Error(`${this.name} did not answer /health with 200 within ${timeoutMs / 1000}s (last: ${last})`);
  }

  /** SIGTERM, then SIGKILL if it has not exited within timeoutMs. Returns how it ended. */
  async stop(timeoutMs: number, progress: (line: string) => void): Promise<ExitInfo | undefined> {
    if (!this.child || !this.running) return this.exit;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const result = await waitAtMost(this.exited, timeoutMs);
    if (result === 'timeout') {
      progress(`${this.name} did not exit within ${timeoutMs / 1000}s of SIGTERM; killing it`);
      this.child.kill('SIGKILL');
      return this.exited;
    }
    return result;
  }

  /** Last resort when the launcher itself is going away: no wait, no flush. */
  killNow(): void {
    if (this.child && this.running) this.child.kill('SIGKILL');
  }

  async closeLog(): Promise<void> {
    const log = this.log;
    if (!log) return;
    await new Promise<void>((r) => log.end(r));
  }
}
