import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'cassandra-driver';
import { libDir } from './fetch';
import { say } from './log';
import { ManagedProcess, waitForFreePorts } from './process';
import { InfraSettings } from './settings';
import { InfraError } from './toolchain';
import { sleep } from '../../libs/runtime/src'; // relative: jest's global setup loads tools/infra outside its module mapper

/** From Cassandra 5.0's conf/jvm17-server.options: without them the daemon dies at start-up on JDK 17. */
const JDK17_FLAGS = [
  '-Djdk.attach.allowAttachSelf=true',
  '--add-exports',
  'java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports',
  'java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports',
  'java.management/com.sun.jmx.remote.security=ALL-UNNAMED',
  '--add-exports',
  'java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports',
  'java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports',
  'java.sql/java.sql=ALL-UNNAMED',
  '--add-exports',
  'java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports',
  'jdk.unsupported/sun.misc=ALL-UNNAMED',
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.lang.reflect',
    'java.base/java.lang',
    'java.base/java.util',
    'java.base/java.nio',
    'java.base/java.nio.charset',
  ].flatMap((pkg) => ['--add-opens', `${pkg}=ALL-UNNAMED`]),
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
];

/** A single-node Apache Cassandra 5.0 on 127.0.0.1 (DC datacenter1 via SimpleSnitch). */
export class CassandraServer {
  readonly home: string;
  readonly process: ManagedProcess;

  constructor(
    private readonly s: InfraSettings,
    private readonly java: string,
  ) {
    this.home = join(s.stateDir, 'cassandra');
    this.process = new ManagedProcess(
      'cassandra',
      join(s.stateDir, 'cassandra.pid'),
      join(this.home, 'cassandra.log'),
      this.home,
    );
  }

  get contactPoint(): string {
    return `127.0.0.1:${this.s.cassandraPort}`;
  }

  private writeConfig(): void {
    for (const dir of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw', 'conf']) {
      mkdirSync(join(this.home, dir), { recursive: true });
    }
    const d = (name: string): string => join(this.home, name);
    writeFileSync(
      join(this.home, 'conf', 'cassandra.yaml'),
      `cluster_name: 'reeltime'
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:${this.s.cassandraStoragePort}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: ${this.s.cassandraStoragePort}
native_transport_port: ${this.s.cassandraPort}
start_native_transport: true
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 16MiB
data_file_directories: [${d('data')}]
commitlog_directory: ${d('commitlog')}
saved_caches_directory: ${d('saved_caches')}
hints_directory: ${d('hints')}
cdc_raw_directory: ${d('cdc_raw')}
auto_snapshot: false
concurrent_compactors: 1
`,
    );
    writeFileSync(
      join(this.home, 'conf', 'logback.xml'),
      `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT" /></root>
  <logger name="org.apache.cassandra.utils.SigarLibrary" level="WARN"/>
</configuration>
`,
    );
  }

  private jamm(): string {
    const lib = libDir(this.s, 'cassandra');
    const jar = readdirSync(lib).find((f) => /^jamm-.*\.jar$/.test(f));
    if (!jar) throw new InfraError(`jamm agent jar missing from ${lib}; run npm run infra:reset -- --cache`);
    return join(lib, jar);
  }

  async start(): Promise<void> {
    if (this.process.pid() !== undefined) {
      say('cassandra', `already running (pid ${this.process.pid()})`);
      await this.waitReady();
      return;
    }
    if (this.process.clearStale()) say('cassandra', 'removed a stale PID file');
    if (await CassandraServer.answers(this.contactPoint)) {
      say('cassandra', `a node not started by this checkout already answers at ${this.contactPoint}; using it`);
      return;
    }
    await waitForFreePorts('cassandra', [this.s.cassandraPort, this.s.cassandraStoragePort, this.s.cassandraJmxPort]);
    this.writeConfig();
    const started = Date.now();
    const conf = join(this.home, 'conf');
    const pid = this.process.start(
      this.java,
      [
        `-Xms${this.s.cassandraHeap}`,
        `-Xmx${this.s.cassandraHeap}`,
        '-Xss256k',
        '-XX:+UseG1GC',
        '-XX:+ParallelRefProcEnabled',
        '-XX:MaxTenuringThreshold=1',
        '-XX:MaxGCPauseMillis=300',
        `-javaagent:${this.jamm()}`,
        ...JDK17_FLAGS,
        '-Djava.net.preferIPv4Stack=true',
        '-Dchronicle.analytics.disable=true',
        `-Dcassandra.config=file://${join(conf, 'cassandra.yaml')}`,
        `-Dlogback.configurationFile=${join(conf, 'logback.xml')}`,
        `-Dcassandra.logdir=${this.home}`,
        `-Dcassandra.storagedir=${this.home}`,
        // Without it CassandraDaemon closes stdout/stderr and the log file stays empty.
        '-Dcassandra-foreground=yes',
        `-Dcassandra.jmx.local.port=${this.s.cassandraJmxPort}`,
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        '-cp',
        `${conf}:${libDir(this.s, 'cassandra')}/*`,
        'org.apache.cassandra.service.CassandraDaemon',
      ],
      this.home,
    );
    say('cassandra', `started pid ${pid}, waiting for CQL at ${this.contactPoint}`);
    await this.waitReady();
    say(
      'cassandra',
      `ready in ${((Date.now() - started) / 1000).toFixed(1)}s (RSS ${this.process.rssMiB() ?? '?'} MiB)`,
    );
  }

  /** Ready means a CQL query is answered, not merely that the port is open. */
  async waitReady(): Promise<void> {
    const deadline = Date.now() + this.s.startTimeoutMs;
    let lastProgress = Date.now();
    while (Date.now() < deadline) {
      if (this.process.pid() === undefined) {
        throw new InfraError(`cassandra exited during start-up; last log lines:\n${this.process.logTail()}`);
      }
      if (await CassandraServer.answers(this.contactPoint)) return;
      if (Date.now() - lastProgress > 10_000) {
        say('cassandra', '  … still starting');
        lastProgress = Date.now();
      }
      await sleep(1000);
    }
    throw new InfraError(
      `cassandra did not answer within ${this.s.startTimeoutMs / 1000}s; log:\n${this.process.logTail()}`,
    );
  }

  static async answers(contactPoint: string): Promise<boolean> {
    const client = new Client({
      contactPoints: [contactPoint],
      localDataCenter: 'datacenter1',
      socketOptions: { connectTimeout: 1000, readTimeout: 2000 },
    });
    try {
      await client.connect();
      const rs = await client.execute('SELECT release_version FROM system.local');
      return rs.rows.length === 1;
    } catch {
      return false;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
  }
}
