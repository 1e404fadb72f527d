import { join } from 'node:path';
import { Artifact, fetchArtifact, libDir } from './fetch';
import { say } from './log';
import { pollUntil } from './poll';
import { ManagedProcess, waitForFreePorts } from './process';
import { InfraSettings } from './settings';
import { InfraError } from './toolchain';

/** What sets one server apart in the lifecycle JvmServer runs for both. */
export interface ServerTraits {
  /** Where clients reach it: Kafka's bootstrap address, Cassandra's contact point. */
  address: string;
  /** Every port it binds: all must be free before it starts. */
  ports: number[];
  heap: string;
  /** The Maven artifact it runs from. */
  artifact: Artifact;
  /** For the progress lines: what may already answer at the address, and what start-up waits for. */
  foreign: string;
  awaited: string;
  /** How often readiness is asked for while it starts. */
  pollMs: number;
}

const PROGRESS_EVERY_MS = 10_000;

/**
 * One server as a background JVM of this checkout: fetched once into the shared cache, configured and
 * started under the state dir, owned through a PID file, ready once a client gets an answer. Kafka and
 * Cassandra supply their traits, their config files and their command line.
 */
export abstract class JvmServer {
  readonly home: string;
  readonly process: ManagedProcess;

  protected constructor(
    readonly name: 'kafka' | 'cassandra',
    protected readonly s: InfraSettings,
    protected readonly java: string,
    protected readonly traits: ServerTraits,
  ) {
    this.home = join(s.stateDir, name);
    this.process = new ManagedProcess(name, join(s.stateDir, `${name}.pid`), join(this.home, `${name}.log`), this.home);
  }

  /** Writes the config files (and whatever else must exist) under `home` before a start. */
  protected abstract prepare(): void;

  /** The JVM's arguments after the heap flags: options, class path, main class and its arguments. */
  protected abstract jvmArgs(): string[];

  /** Whether a client gets a real answer at the address, not merely an open port. */
  abstract answering(): Promise<boolean>;

  /** The folder of the fetched jars. */
  protected get lib(): string {
    return libDir(this.s.cacheDir, this.traits.artifact);
  }

  fetch(): Promise<void> {
    return fetchArtifact(this.s.cacheDir, this.traits.artifact);
  }

  /** Starts the server unless one answers already (its own, or one not started by this checkout). */
  async start(): Promise<void> {
    if (await this.alreadyThere()) return;
    await waitForFreePorts(this.name, this.traits.ports);
    this.prepare();
    const started = Date.now();
    const { heap, awaited, address } = this.traits;
    const pid = this.process.start(this.java, [`-Xms${heap}`, `-Xmx${heap}`, ...this.jvmArgs()], this.home);
    say(this.name, `started pid ${pid}, waiting for ${awaited} at ${address}`);
    await this.waitReady();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    say(this.name, `ready in ${seconds}s (RSS ${this.process.rssMiB() ?? '?'} MiB)`);
  }

  private async alreadyThere(): Promise<boolean> {
    const pid = this.process.pid();
    if (pid !== undefined) {
      say(this.name, `already running (pid ${pid})`);
      await this.waitReady();
      return true;
    }
    if (this.process.clearStale()) say(this.name, 'removed a stale PID file');
    if (!(await this.answering())) return false;
    say(
      this.name,
      `${this.traits.foreign} not started by this checkout already answers at ${this.traits.address}; using it`,
    );
    return true;
  }

  /** Waits until it answers; fails at once if its process exits, with the end of its log. */
  async waitReady(): Promise<void> {
    const answers = async (): Promise<boolean> => {
      if (this.process.pid() === undefined) {
        throw new InfraError(`${this.name} exited during start-up; last log lines:\n${this.process.logTail()}`);
      }
      return this.answering();
    };
    const ready = await pollUntil(answers, {
      timeoutMs: this.s.startTimeoutMs,
      everyMs: this.traits.pollMs,
      progress: { everyMs: PROGRESS_EVERY_MS, report: () => say(this.name, '  … still starting') },
    });
    if (!ready) {
      throw new InfraError(
        `${this.name} did not answer within ${this.s.startTimeoutMs / 1000}s; log:\n${this.process.logTail()}`,
      );
    }
  }

  /** One line for `infra status`: whether it answers, and its PID and RSS when this checkout runs it. */
  async status(): Promise<string> {
    const answers = await this.answering();
    const pid = this.process.pid();
    if (pid === undefined) return answers ? 'answering, not started by this checkout' : 'stopped';
    return `${answers ? 'up' : 'starting or unhealthy'} (pid ${pid}, RSS ${this.process.rssMiB() ?? '?'} MiB)`;
  }
}
