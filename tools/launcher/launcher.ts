import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { AppConfig } from '@reeltime/config';
import { LocalInfra } from '../infra';
import { InfraSettings } from '../infra/settings';
import { inspectBuild, runBuild } from './build';
import { InfraPlan, InfraSession, planInfra } from './infra';
import { DEFAULT_FORMAT } from './log-format';
import { applySchema } from './schema';
import { ExitInfo, ServiceName, ServiceRunner, describeExit } from './service';
import { summaryLines } from './summary';

export const ROOT = resolve(__dirname, '..', '..');

/** Started together; /health of each is awaited before the summary is printed. */
const START_ORDER: readonly ServiceName[] = ['consumer', 'query', 'producer'];

/**
 * Stop order and patience: the producer first (nothing new enters Kafka), then the consumer, which on
 * SIGTERM flushes its batch to Cassandra and commits its offsets (that can take a while under load),
 * then the query service, which goes on serving until the last stats messages are in.
 */
const STOP_ORDER: ReadonlyArray<[ServiceName, number]> = [
  ['producer', 20_000],
  ['consumer', 60_000],
  ['query', 20_000],
];

const HEALTH_TIMEOUT_MS = 120_000;

export interface LauncherOutput {
  /** Progress lines ("HH:MM:SS [component] message"). */
  say(component: string, message: string): void;
  /** Service log lines and the summary. */
  print(line: string): void;
  color: boolean;
}

type StopReason =
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'crash'; service: ServiceName; exit: ExitInfo }
  | { kind: 'error'; error: Error };

class Interrupted extends Error {}

/**
 * `npm start`: the local Kafka and Cassandra (unless the settings point elsewhere), the schema, a
 * fresh build, the three services; then it waits for Ctrl-C or a service that dies, and takes down
 * what it started, in order.
 */
export class Launcher {
  private readonly services = new Map<ServiceName, ServiceRunner>();
  private readonly plan: InfraPlan;
  private session?: InfraSession;
  private stopReason?: StopReason;
  private resolveStop!: (reason: StopReason) => void;
  private readonly stopRequested = new Promise<StopReason>((r) => (this.resolveStop = r));
  private readonly logDir: string;

  constructor(
    private readonly config: AppConfig,
    private readonly settings: InfraSettings,
    private readonly env: NodeJS.ProcessEnv,
    private readonly out: LauncherOutput,
    private readonly controlTokenGenerated = false,
  ) {
    this.plan = planInfra(config, settings);
    this.logDir = resolve(settings.stateDir, 'logs');
  }

  /** First reason wins; later ones (e.g. the other services exiting during shutdown) are ignored. */
  requestStop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.resolveStop(reason);
  }

  get stopping(): boolean {
    return this.stopReason !== undefined;
  }

  /** Runs until stopped; resolves with the exit code. */
  async run(): Promise<number> {
    try {
      await this.interruptible(Promise.all([this.startInfra(), this.build()]));
      await this.interruptible(this.migrate());
      await this.interruptible(this.startServices());
      for (const line of this.summary()) this.out.print(line);
      await this.stopRequested;
    } catch (err) {
      if (!(err instanceof Interrupted)) this.requestStop({ kind: 'error', error: err as Error });
    }
    const reason = this.stopReason!;
    this.report(reason);
    await this.shutdown();
    return reason.kind === 'signal' ? 0 : 1;
  }

  /** Lets Ctrl-C end a long step (a first Kafka/Cassandra start takes a minute) without waiting for it. */
  private async interruptible<T>(step: Promise<T>): Promise<T> {
    const interrupted = this.stopRequested.then(() => {
      throw new Interrupted();
    });
    // The step keeps running after an interruption and may fail once shutdown stops what it waits
    // for; that failure is expected then and only noted.
    void step.catch((err: unknown) => {
      if (this.stopping) this.out.say('launcher', `(interrupted step ended: ${(err as Error).message.split('\n')[0]})`);
    });
    // Once the step has won the race, a later stop must not surface as an unhandled rejection.
    void interrupted.catch(() => undefined);
    return Promise.race([step, interrupted]);
  }

  private async startInfra(): Promise<void> {
    const { kafka, cassandra } = this.plan;
    if (!kafka) this.out.say('launcher', `Kafka: using ${this.config.kafka.brokers.join(',')} (KAFKA_BROKERS)`);
    if (!cassandra) {
      this.out.say(
        'launcher',
        `Cassandra: using ${this.config.cassandra.contactPoints.join(',')} (CASSANDRA_CONTACT_POINTS)`,
      );
    }
    if (!kafka && !cassandra) return;
    this.session = new InfraSession(new LocalInfra(this.settings), this.plan);
    await this.session.up();
  }

  private async build(): Promise<void> {
    const state = inspectBuild(ROOT, START_ORDER);
    if (!state.stale) {
      this.out.say('build', state.reason);
      return;
    }
    this.out.say('build', `${state.reason}: npm run build`);
    const started = Date.now();
    await runBuild(ROOT);
    this.out.say('build', `built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  private async migrate(): Promise<void> {
    await applySchema(this.config.cassandra, (line) => this.out.say('schema', line));
  }

  private async startServices(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    for (const name of START_ORDER) {
      const runner = new ServiceRunner(name, this.config.ports[name], {
        root: ROOT,
        env: this.env,
        logFile: resolve(this.logDir, `${name}.log`),
        print: (line) => this.out.print(line),
        format: { ...DEFAULT_FORMAT, color: this.out.color },
      });
      this.services.set(name, runner);
      const pid = runner.start();
      this.out.say(name, `started pid ${pid}, port ${runner.port}`);
      void runner.exited.then((exit) => {
        if (!runner.stopping) this.requestStop({ kind: 'crash', service: name, exit });
      });
    }
    await Promise.all(
      [...this.services.values()].map(async (runner) => {
        const ms = await runner.waitHealthy(HEALTH_TIMEOUT_MS, (line) => this.out.say(runner.name, line));
        this.out.say(runner.name, `healthy after ${(ms / 1000).toFixed(1)}s (${runner.url}/health)`);
      }),
    );
  }

  private summary(): string[] {
    const rel = relative(process.cwd(), this.logDir);
    return summaryLines({
      config: this.config,
      kafka: this.session && this.plan.kafka ? this.session.describe('kafka') : 'not managed by this launcher',
      cassandra:
        this.session && this.plan.cassandra ? this.session.describe('cassandra') : 'not managed by this launcher',
      logDir: rel && !rel.startsWith('..') ? rel : this.logDir,
      controlTokenGenerated: this.controlTokenGenerated,
    });
  }

  private report(reason: StopReason): void {
    switch (reason.kind) {
      case 'signal':
        this.out.say('launcher', `${reason.signal} received: stopping`);
        return;
      case 'crash': {
        const runner = this.services.get(reason.service);
        this.out.say(
          'launcher',
          `ERROR: ${reason.service} exited unexpectedly (${describeExit(reason.exit)}); stopping the rest. ` +
            `Its last lines (full log: ${resolve(this.logDir, `${reason.service}.log`)}):`,
        );
        for (const line of (runner?.tail() ?? '').split('\n')) this.out.print(`    ${line}`);
        return;
      }
      case 'error':
        this.out.say('launcher', `ERROR: ${reason.error.message}`);
        this.out.say('launcher', 'stopping what was started');
        return;
    }
  }

  /** Services in order, then the JVMs this launcher started; infra it found running is left alone. */
  private async shutdown(): Promise<void> {
    for (const [name, timeoutMs] of STOP_ORDER) {
      const runner = this.services.get(name);
      if (!runner?.running) continue;
      this.out.say(name, `stopping (SIGTERM, up to ${timeoutMs / 1000}s)`);
      const started = Date.now();
      const exit = await runner.stop(timeoutMs, (line) => this.out.say(name, line));
      const how = exit ? describeExit(exit) : 'gone';
      this.out.say(name, `stopped in ${((Date.now() - started) / 1000).toFixed(1)}s (${how})`);
    }
    await Promise.all([...this.services.values()].map((r) => r.closeLog()));
    if (this.session) await this.session.stopStarted((line) => this.out.say('launcher', line));
    this.out.say('launcher', 'all stopped');
  }

  /** For a second Ctrl-C or the launcher's own exit: kill the services now, without the orderly stop. */
  killServices(): void {
    for (const runner of this.services.values()) runner.killNow();
  }

  /** The infra JVMs this launcher started, for the message when it is forced out before stopping them. */
  startedInfra(): string[] {
    if (!this.session) return [];
    return (['kafka', 'cassandra'] as const).filter((c) => this.session!.startedHere(c));
  }
}
