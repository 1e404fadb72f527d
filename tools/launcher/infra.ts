import { mkdirSync } from 'node:fs';
import { AppConfig } from '@reeltime/config';
import { LocalInfra } from '../infra';
import { InfraSettings } from '../infra/settings';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when a host list is exactly the local launcher's own address (loopback, its port). */
export function isLocalTarget(hosts: readonly string[], port: number): boolean {
  if (hosts.length !== 1) return false;
  const at = hosts[0].lastIndexOf(':');
  return LOOPBACK.has(hosts[0].slice(0, at)) && Number(hosts[0].slice(at + 1)) === port;
}

export interface InfraPlan {
  /** Start (or reuse) the local Kafka: KAFKA_BROKERS is the launcher's own 127.0.0.1 address. */
  kafka: boolean;
  cassandra: boolean;
}

/** Which of Kafka and Cassandra this machine should run: only those the settings point at locally. */
export function planInfra(config: AppConfig, settings: InfraSettings): InfraPlan {
  return {
    kafka: isLocalTarget(config.kafka.brokers, settings.kafkaPort),
    cassandra: isLocalTarget(config.cassandra.contactPoints, settings.cassandraPort),
  };
}

type Component = 'kafka' | 'cassandra';

/**
 * The local Kafka and Cassandra as this launcher found and left them. LocalInfra starts only what is
 * not already running or answering; comparing its PID files before and after tells which JVMs this
 * launcher started, and only those are stopped at the end (others belong to someone else, e.g. a
 * previous `npm run infra:up` or the test harness).
 */
export class InfraSession {
  private readonly before: Record<Component, number | undefined>;

  constructor(
    readonly infra: LocalInfra,
    readonly plan: InfraPlan,
  ) {
    this.before = { kafka: infra.kafka.process.pid(), cassandra: infra.cassandra.process.pid() };
  }

  async up(): Promise<void> {
    if (this.plan.kafka && this.plan.cassandra) {
      await this.infra.up();
      return;
    }
    // Only one of them is local: the same steps as LocalInfra.up(), for that one.
    mkdirSync(this.infra.settings.stateDir, { recursive: true });
    await this.infra.fetch();
    if (this.plan.kafka) await this.infra.kafka.start();
    if (this.plan.cassandra) await this.infra.cassandra.start();
  }

  /** Whether this launcher started the component (its JVM runs now and did not before). */
  startedHere(component: Component): boolean {
    return this.before[component] === undefined && this.infra[component].process.pid() !== undefined;
  }

  /** Stops the JVMs this launcher started, side by side (neither needs the other to shut down). */
  async stopStarted(log: (line: string) => void): Promise<void> {
    const mine = (['kafka', 'cassandra'] as const).filter((c) => this.startedHere(c));
    await Promise.all(
      mine.map(async (component) => {
        log(`stopping ${component} (started by this launcher)`);
        await this.infra[component].process.stop();
        log(`${component} stopped`);
      }),
    );
  }

  describe(component: Component): string {
    if (this.startedHere(component)) return 'started by this launcher, stopped on exit';
    return 'already running, left running on exit';
  }
}
