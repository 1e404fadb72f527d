import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { InfraError } from './toolchain';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.isOurs(pid)) await sleep(200);
    if (this.isOurs(pid)) process.kill(pid, 'SIGKILL');
    while (this.isOurs(pid)) await sleep(100);
    rmSync(this.pidFile, { force: true });
    return true;
  }

  /** kill -9, for fault-injection tests. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    while (this.isOurs(pid)) await sleep(50);
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
