import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Env } from '@reeltime/config';
import { CassandraServer, KafkaServer, LocalInfra } from '@reeltime/infra';
import { waitFor } from '../support/app';
import { TestNamespace, testNamespace } from '../support/namespace';

const ROOT = resolve(__dirname, '..', '..');
// tsx itself rather than npx: npm does not pass a lone SIGINT on to its child, and dies by the signal
// itself on a group SIGINT, which would hide the launcher's own exit code.
const TSX = resolve(ROOT, 'node_modules', '.bin', 'tsx');
const SERVICES = ['consumer', 'query', 'producer'] as const;
type Service = (typeof SERVICES)[number];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited child whose parent has not reaped it yet (a zombie, state Z) still takes signal 0.
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** `npx tsx tools/launcher/start.ts` in a process group of its own, as a terminal would run it. */
class Launcher {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: Env) {
    this.child = spawn(TSX, ['tools/launcher/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => void (this.output += chunk.toString('utf8'));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((r) => this.child.on('exit', (code, signal) => r({ code, signal })));
  }

  get log(): string {
    return this.output;
  }

  /** The PIDs the launcher reported for its services. */
  servicePids(): Partial<Record<Service, number>> {
    const pids: Partial<Record<Service, number>> = {};
    for (const match of this.output.matchAll(/\[(consumer|query|producer)\] started pid (\d+)/g)) {
      pids[match[1] as Service] = Number(match[2]);
    }
    return pids;
  }

  /** Ctrl-C in a terminal: SIGINT to the whole foreground process group. */
  interrupt(): void {
    process.kill(-this.child.pid!, 'SIGINT');
  }

  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]).finally(() => clearTimeout(timer));
    if (result === 'timeout') {
      throw new Error(`the launcher did not exit within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
    }
    return result;
  }

  /** Cleanup after a failed test: nothing of this run may outlive it. */
  forceKill(): void {
    for (const pid of Object.values(this.servicePids())) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (this.child.exitCode === null && this.child.signalCode === null) process.kill(-this.child.pid!, 'SIGKILL');
  }
}

describe('npm start (tools/launcher/start.ts)', () => {
  const infra = new LocalInfra();
  let before: { kafka?: number; cassandra?: number };
  const namespaces: TestNamespace[] = [];
  const launchers: Launcher[] = [];

  const launch = (label: string, extra: Env = {}): { ns: TestNamespace; launcher: Launcher } => {
    const ns = testNamespace(label, { PRODUCER_AUTOSTART: 'false', BATCH_INTERVAL_MS: '1000', ...extra });
    namespaces.push(ns);
    const launcher = new Launcher(ns.env);
    launchers.push(launcher);
    return { ns, launcher };
  };

  /** Waits for the launcher's summary, then checks each /health itself; the launcher's output on failure. */
  const waitHealthy = async (ns: TestNamespace, launcher: Launcher, timeoutMs = 60_000): Promise<void> => {
    try {
      await waitFor(
        'the launcher to print its summary',
        () => Promise.resolve(launcher.log.includes('press Ctrl-C')),
        timeoutMs,
        200,
      );
      for (const service of SERVICES) {
        const res = await fetch(`http://127.0.0.1:${ns.config.ports[service]}/health`);
        expect({ service, status: res.status }).toEqual({ service, status: 200 });
      }
    } catch (err) {
      throw new Error(`${(err as Error).message}\nlauncher output:\n${launcher.log.slice(-4000)}`);
    }
  };

  beforeAll(() => {
    before = { kafka: infra.kafka.process.pid(), cassandra: infra.cassandra.process.pid() };
  });

  afterAll(async () => {
    for (const launcher of launchers) launcher.forceKill();
    for (const ns of namespaces) await ns.drop();
  });

  it('starts the three services, prints where they are, and on Ctrl-C stops them and exits 0, leaving the Kafka and Cassandra it did not start running', async () => {
    const { ns, launcher } = launch('launcher');
    await waitHealthy(ns, launcher);
    const { query, producer, consumer } = ns.config.ports;
    for (const url of [
      `http://localhost:${query}/`,
      `http://localhost:${query}/api/`,
      `http://localhost:${query}/docs`,
      `http://localhost:${producer}/producer`,
      `http://localhost:${consumer}/health`,
      `http://localhost:${consumer}/metrics`,
    ]) {
      expect(launcher.log).toContain(url);
    }
    expect(launcher.log).toMatch(/Kafka .*already running, left running on exit/);

    // No PRODUCER_CONTROL_TOKEN was set: the launcher made one up, printed it, and the producer requires it.
    const token = /control token\s+(\S+)\s+\(generated for this run/.exec(launcher.log)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const setRate = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${producer}/producer/rate`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ rate: 50 }),
      });
    expect((await setRate({})).status).toBe(401);
    expect((await setRate({ authorization: `Bearer ${token}` })).status).toBe(200);

    const pids = launcher.servicePids();
    expect(Object.keys(pids).sort()).toEqual(['consumer', 'producer', 'query']);

    launcher.interrupt();
    const exit = await launcher.waitForExit(75_000);
    expect(exit).toEqual({ code: 0, signal: null });
    for (const pid of Object.values(pids)) expect(alive(pid)).toBe(false);
    // Ordered stop: producer, then consumer, then query.
    const order = SERVICES.map((s) => launcher.log.indexOf(`[${s}] stopping`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order[2]).toBeLessThan(order[0]); // producer before consumer
    expect(order[0]).toBeLessThan(order[1]); // consumer before query

    expect(await KafkaServer.answers(infra.kafka.bootstrap)).toBe(true);
    expect(await CassandraServer.answers(infra.cassandra.contactPoint)).toBe(true);
    expect(infra.kafka.process.pid()).toBe(before.kafka);
    expect(infra.cassandra.process.pid()).toBe(before.cassandra);
  }, 120_000);

  it('says which service died, stops the others and exits non-zero when a service is killed', async () => {
    const { ns, launcher } = launch('launchercrash');
    await waitHealthy(ns, launcher);
    const pids = launcher.servicePids();
    process.kill(pids.consumer!, 'SIGKILL');

    const exit = await launcher.waitForExit(60_000);
    expect(exit.code).toBe(1);
    expect(launcher.log).toContain('consumer exited unexpectedly (killed by SIGKILL)');
    for (const pid of Object.values(pids)) expect(alive(pid)).toBe(false);
    expect(await KafkaServer.answers(infra.kafka.bootstrap)).toBe(true);
    expect(infra.kafka.process.pid()).toBe(before.kafka);
    expect(infra.cassandra.process.pid()).toBe(before.cassandra);
  }, 120_000);

  it('stops on exit the Kafka it started itself, and only that', async () => {
    // A Kafka of its own on spare ports and a state folder of its own; Cassandra's local port is
    // moved out of the way so the shared node at 127.0.0.1:9042 counts as "elsewhere" and is only used.
    const stateDir = mkdtempSync(join(tmpdir(), 'reeltime-launcher-'));
    const kafkaPort = 19_000 + Math.floor(Math.random() * 400) * 2;
    const { ns, launcher } = launch('launcherkafka', {
      REELTIME_INFRA_DIR: stateDir,
      INFRA_KAFKA_PORT: String(kafkaPort),
      INFRA_KAFKA_CONTROLLER_PORT: String(kafkaPort + 1),
      INFRA_KAFKA_HEAP: '256m',
      INFRA_CASSANDRA_PORT: '19999',
      KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    });
    try {
      await waitHealthy(ns, launcher, 120_000);
      expect(launcher.log).toMatch(/Kafka .*started by this launcher, stopped on exit/);
      const kafkaPid = Number(readFileSync(join(stateDir, 'kafka.pid'), 'utf8'));
      expect(alive(kafkaPid)).toBe(true);

      launcher.interrupt();
      expect(await launcher.waitForExit(90_000)).toEqual({ code: 0, signal: null });
      expect(launcher.log).toContain('kafka stopped');
      expect(alive(kafkaPid)).toBe(false);
      expect(await KafkaServer.answers(`127.0.0.1:${kafkaPort}`)).toBe(false);
      expect(infra.kafka.process.pid()).toBe(before.kafka);
      expect(infra.cassandra.process.pid()).toBe(before.cassandra);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 150_000);
});
