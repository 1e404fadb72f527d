import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { InfraError } from './toolchain';
import { pollUntil } from './poll';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * Waits until nothing listens on the ports a server is about to bind. A JVM that is still shutting
 * down holds them for a while, and a new one started meanwhile dies on its first bind.
 */
export async function waitForFreePorts(name: string, ports: number[], timeoutMs = 60_000): Promise<void> {
  let busy: number[] = [];
  const free = async (): Promise<boolean> => {
    busy = [];
    for (const port of ports) if (!(await portFree(port))) busy.push(port);
    return busy.length === 0;
  };
  if (!(await pollUntil(free, { timeoutMs, everyMs: 250 }))) {
    throw new InfraError(`${name}: port ${busy.join(', ')} still in use after ${timeoutMs / 1000}s`);
  }
}

/**
 * Runs a command to its end, handing each line of its output (stdout and stderr) to `onLine`;
 * resolves with its exit code. For the short-lived helpers: Maven's fetch, `npm run build`.
 */
export function runToEnd(
  command: string,
  args: string[],
  options: { cwd?: string; onLine: (line: string) => void },
): Promise<number | null> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', options.onLine);
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code));
  });
}

/**
 * A background JVM owned through a PID file. `marker` is a string that must appear in the process's
 * command line (the state dir path), so a stale PID file whose number was reused by an unrelated
 * process is recognised as stale and that process is never signalled.
 */
export class ManagedProcess {
  /**
   * The process this object spawned, if any. For it the child handle is the authority: right after
   * spawn returns, the kernel may not have set the new image's argument area yet, so
   * /proc/<pid>/cmdline can read empty for a moment and a live JVM would look foreign (seen as
   * "exited during start-up" with the JVM still running).
   */
  private spawned?: { pid: number; exited: boolean };

  constructor(
    readonly name: string,
    private readonly pidFile: string,
    private readonly logFile: string,
    private readonly marker: string,
  ) {}

  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return this.isOurs(pid) ? pid : undefined;
  }

  /** Removes a PID file that points at a dead or foreign process; returns true if it did. */
  clearStale(): boolean {
    if (existsSync(this.pidFile) && this.pid() === undefined) {
      rmSync(this.pidFile, { force: true });
      return true;
    }
    return false;
  }

  private isOurs(pid: number): boolean {
    if (this.spawned?.pid === pid) return !this.spawned.exited;
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(this.marker);
    } catch {
      // No /proc (macOS): a live PID from our own file is the best evidence there is.
      return true;
    }
  }

  /**
   * Whether a process that was ours is still exiting. Once a JVM's main thread has exited, its
   * /proc/<pid>/cmdline reads empty while its other threads, and the sockets they hold, live on for
   * seconds: a Kafka broker that looked gone still answered on its port and held its controller port,
   * so the broker started next failed to bind it and died.
   */
  private lingers(pid: number): boolean {
    try {
      process.kill(pid, 0);
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== '') return false;
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return state !== 'Z' || readdirSync(`/proc/${pid}/task`).length > 1;
    } catch {
      return false;
    }
  }

  /** Waits until the process is gone, every thread of it; false if it is not within `timeoutMs`. */
  private gone(pid: number, timeoutMs: number, everyMs: number): Promise<boolean> {
    return pollUntil(() => !this.isOurs(pid) && !this.lingers(pid), { timeoutMs, everyMs });
  }

  start(command: string, args: string[], cwd: string): number {
    const fd = openSync(this.logFile, 'a');
    try {
      const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
      if (child.pid === undefined) throw new InfraError(`could not start ${this.name}`);
      const spawned = { pid: child.pid, exited: false };
      child.once('exit', () => (spawned.exited = true));
      this.spawned = spawned;
      child.unref();
      writeFileSync(this.pidFile, `${child.pid}\n`);
      return child.pid;
    } finally {
      closeSync(fd);
    }
  }

  logTail(lines = 30): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM, wait for the shutdown hooks (Kafka controlled shutdown, Cassandra drain), then SIGKILL. */
  async stop(timeoutMs = 60_000): Promise<boolean> {
    const pid = this.pid();
    if (pid === undefined) {
      this.clearStale();
      return false;
    }
    process.kill(pid, 'SIGTERM');
    if (!(await this.gone(pid, timeoutMs, 200))) {
      process.kill(pid, 'SIGKILL');
      await this.gone(pid, Infinity, 100);
    }
    rmSync(this.pidFile, { force: true });
    return true;
  }

  /** kill -9, for fault-injection tests. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    await this.gone(pid, Infinity, 50);
    rmSync(this.pidFile, { force: true });
  }

  rssMiB(): number | undefined {
    const pid = this.pid();
    if (pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      return match ? Math.round(Number(match[1]) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }
}
