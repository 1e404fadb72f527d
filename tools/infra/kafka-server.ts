import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { JvmServer } from './jvm-server';
import { say } from './log';
import { InfraSettings } from './settings';
import { InfraError } from './toolchain';

/** server.properties of a single-node KRaft cluster: one process is broker and controller. */
function serverProperties(home: string, port: number, ctl: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    // Static quorum: format without --standalone.
    `controller.quorum.voters=1@127.0.0.1:${ctl}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${ctl}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${ctl}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(home, 'data')}`,
    'num.partitions=1',
    // Topics are created by the services with KAFKA_PARTITIONS; auto-creation would hide a missing step.
    'auto.create.topics.enable=false',
    // One node: every internal topic must have RF 1 or groups and idempotent producers fail.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'offsets.topic.num.partitions=3',
    'log.retention.hours=24',
    '',
  ].join('\n');
}

const LOG4J2_PROPERTIES = [
  'status = warn',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = INFO',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.kafka.name = kafka',
  'logger.kafka.level = INFO',
  'logger.request.name = kafka.request.logger',
  'logger.request.level = WARN',
  'logger.controller.name = org.apache.kafka.controller',
  'logger.controller.level = WARN',
  '',
].join('\n');

/** A single-node Apache Kafka (KRaft, combined broker + controller) on 127.0.0.1. */
export class KafkaServer extends JvmServer {
  constructor(s: InfraSettings, java: string) {
    super('kafka', s, java, {
      address: `127.0.0.1:${s.kafkaPort}`,
      ports: [s.kafkaPort, s.kafkaControllerPort],
      heap: s.kafkaHeap,
      artifact: {
        name: 'kafka',
        version: s.kafkaVersion,
        dependencies: [
          ['org.apache.kafka', 'kafka_2.13', s.kafkaVersion],
          // The broker's POM leaves out the SLF4J binding (it ships only in the tarball); without it the
          // broker logs nothing at all, so readiness could not be seen in its log.
          ['org.apache.logging.log4j', 'log4j-slf4j-impl', s.log4jVersion],
        ],
      },
      foreign: 'a broker',
      awaited: 'the broker',
      pollMs: 500,
    });
  }

  get bootstrap(): string {
    return this.traits.address;
  }

  private get log4jFlag(): string {
    return `-Dlog4j2.configurationFile=${join(this.home, 'log4j2.properties')}`;
  }

  protected prepare(): void {
    mkdirSync(join(this.home, 'data'), { recursive: true });
    writeFileSync(
      join(this.home, 'server.properties'),
      serverProperties(this.home, this.s.kafkaPort, this.s.kafkaControllerPort),
    );
    writeFileSync(join(this.home, 'log4j2.properties'), LOG4J2_PROPERTIES);
    this.format();
  }

  /** Runs Kafka's StorageTool with `args`; its output, or an InfraError naming `what` that failed. */
  private storageTool(what: string, args: string[]): string {
    const run = spawnSync(this.java, ['-cp', `${this.lib}/*`, this.log4jFlag, 'kafka.tools.StorageTool', ...args], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new InfraError(`kafka ${what} failed:\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  }

  /** KRaft needs its storage formatted with a cluster id once, before the first start. */
  private format(): void {
    if (existsSync(join(this.home, 'data', 'meta.properties'))) return;
    const clusterId = this.storageTool('random-uuid', ['random-uuid']).trim().split('\n').pop();
    if (!clusterId) throw new InfraError('kafka random-uuid printed no cluster id');
    this.storageTool('storage format', ['format', '-t', clusterId, '-c', join(this.home, 'server.properties')]);
    say('kafka', `formatted storage (cluster id ${clusterId})`);
  }

  protected jvmArgs(): string[] {
    return [
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${this.home}`,
      this.log4jFlag,
      '-cp',
      `${this.lib}/*`,
      'kafka.Kafka',
      join(this.home, 'server.properties'),
    ];
  }

  answering(): Promise<boolean> {
    return KafkaServer.answers(this.bootstrap);
  }

  /**
   * Ready means a client gets cluster metadata back and a consumer group gets a coordinator, not merely
   * that the port is open. A fresh broker creates its offsets topic (50 partitions) on the first group
   * lookup and answers "coordinator is loading" for a while after: a consumer started then took over a
   * minute to join its group.
   */
  static async answers(bootstrap: string): Promise<boolean> {
    const admin = new Kafka({
      clientId: 'reeltime-infra',
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 1000,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (!(cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0)) return false;
      await admin.describeGroups(['reeltime-infra-ready']);
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
