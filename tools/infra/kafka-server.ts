import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { libDir } from './fetch';
import { say } from './log';
import { ManagedProcess, waitForFreePorts } from './process';
import { InfraSettings } from './settings';
import { InfraError } from './toolchain';
import { sleep } from '../../libs/runtime/src'; // relative: jest's global setup loads tools/infra outside its module mapper

/** A single-node Apache Kafka (KRaft, combined broker + controller) on 127.0.0.1. */
export class KafkaServer {
  readonly home: string;
  readonly process: ManagedProcess;

  constructor(
    private readonly s: InfraSettings,
    private readonly java: string,
  ) {
    this.home = join(s.stateDir, 'kafka');
    this.process = new ManagedProcess('kafka', join(s.stateDir, 'kafka.pid'), join(this.home, 'kafka.log'), this.home);
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.s.kafkaPort}`;
  }

  private writeConfig(): void {
    mkdirSync(join(this.home, 'data'), { recursive: true });
    const { kafkaPort: port, kafkaControllerPort: ctl } = this.s;
    writeFileSync(
      join(this.home, 'server.properties'),
      [
        'process.roles=broker,controller',
        'node.id=1',
        // Static quorum: format without --standalone.
        `controller.quorum.voters=1@127.0.0.1:${ctl}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${ctl}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${ctl}`,
        'inter.broker.listener.name=PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${join(this.home, 'data')}`,
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
      ].join('\n'),
    );
    writeFileSync(
      join(this.home, 'log4j2.properties'),
      [
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
      ].join('\n'),
    );
  }

  private classpath(): string {
    return `${libDir(this.s, 'kafka')}/*`;
  }

  private format(): void {
    if (existsSync(join(this.home, 'data', 'meta.properties'))) return;
    const cp = this.classpath();
    const log4j = `-Dlog4j2.configurationFile=${join(this.home, 'log4j2.properties')}`;
    const id = spawnSync(this.java, ['-cp', cp, log4j, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' });
    const clusterId = id.stdout.trim().split('\n').pop();
    if (id.status !== 0 || !clusterId) throw new InfraError(`kafka random-uuid failed: ${id.stderr}`);
    const out = spawnSync(
      this.java,
      [
        '-cp',
        cp,
        log4j,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        join(this.home, 'server.properties'),
      ],
      { encoding: 'utf8' },
    );
    if (out.status !== 0) throw new InfraError(`kafka storage format failed:\n${out.stdout}\n${out.stderr}`);
    say('kafka', `formatted storage (cluster id ${clusterId})`);
  }

  async start(): Promise<void> {
    if (this.process.pid() !== undefined) {
      say('kafka', `already running (pid ${this.process.pid()})`);
      await this.waitReady();
      return;
    }
    if (this.process.clearStale()) say('kafka', 'removed a stale PID file');
    if (await KafkaServer.answers(this.bootstrap)) {
      say('kafka', `a broker not started by this checkout already answers at ${this.bootstrap}; using it`);
      return;
    }
    await waitForFreePorts('kafka', [this.s.kafkaPort, this.s.kafkaControllerPort]);
    this.writeConfig();
    this.format();
    const started = Date.now();
    const pid = this.process.start(
      this.java,
      [
        `-Xms${this.s.kafkaHeap}`,
        `-Xmx${this.s.kafkaHeap}`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dkafka.logs.dir=${this.home}`,
        `-Dlog4j2.configurationFile=${join(this.home, 'log4j2.properties')}`,
        '-cp',
        this.classpath(),
        'kafka.Kafka',
        join(this.home, 'server.properties'),
      ],
      this.home,
    );
    say('kafka', `started pid ${pid}, waiting for the broker at ${this.bootstrap}`);
    await this.waitReady();
    say('kafka', `ready in ${((Date.now() - started) / 1000).toFixed(1)}s (RSS ${this.process.rssMiB() ?? '?'} MiB)`);
  }

  /** Ready means a client gets cluster metadata back, not merely that the port is open. */
  async waitReady(): Promise<void> {
    const deadline = Date.now() + this.s.startTimeoutMs;
    while (Date.now() < deadline) {
      if (this.process.pid() === undefined) {
        throw new InfraError(`kafka exited during start-up; last log lines:\n${this.process.logTail()}`);
      }
      if (await KafkaServer.answers(this.bootstrap)) return;
      await sleep(500);
    }
    throw new InfraError(
      `kafka did not answer within ${this.s.startTimeoutMs / 1000}s; log:\n${this.process.logTail()}`,
    );
  }

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
      return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
