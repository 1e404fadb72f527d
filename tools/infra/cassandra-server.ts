import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'cassandra-driver';
import { JvmServer } from './jvm-server';
import { InfraSettings } from './settings';
import { InfraError } from './toolchain';

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

/** cassandra.yaml of a single node on 127.0.0.1, its data under `home`. */
function cassandraYaml(home: string, s: InfraSettings): string {
  const d = (name: string): string => join(home, name);
  return `cluster_name: 'reeltime'
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:${s.cassandraStoragePort}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: ${s.cassandraStoragePort}
native_transport_port: ${s.cassandraPort}
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
`;
}

const LOGBACK_XML = `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT" /></root>
  <logger name="org.apache.cassandra.utils.SigarLibrary" level="WARN"/>
</configuration>
`;

/** A single-node Apache Cassandra 5.0 on 127.0.0.1 (DC datacenter1 via SimpleSnitch). */
export class CassandraServer extends JvmServer {
  constructor(s: InfraSettings, java: string) {
    super('cassandra', s, java, {
      address: `127.0.0.1:${s.cassandraPort}`,
      ports: [s.cassandraPort, s.cassandraStoragePort, s.cassandraJmxPort],
      heap: s.cassandraHeap,
      artifact: {
        name: 'cassandra',
        version: s.cassandraVersion,
        dependencies: [['org.apache.cassandra', 'cassandra-all', s.cassandraVersion]],
      },
      foreign: 'a node',
      awaited: 'CQL',
      pollMs: 1000,
    });
  }

  get contactPoint(): string {
    return this.traits.address;
  }

  private get conf(): string {
    return join(this.home, 'conf');
  }

  protected prepare(): void {
    for (const dir of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw', 'conf']) {
      mkdirSync(join(this.home, dir), { recursive: true });
    }
    writeFileSync(join(this.conf, 'cassandra.yaml'), cassandraYaml(this.home, this.s));
    writeFileSync(join(this.conf, 'logback.xml'), LOGBACK_XML);
  }

  /** The jamm agent Cassandra measures memory with; it must be given to the JVM by its versioned name. */
  private jamm(): string {
    const jar = readdirSync(this.lib).find((f) => /^jamm-.*\.jar$/.test(f));
    if (!jar) throw new InfraError(`jamm agent jar missing from ${this.lib}; run npm run infra:reset -- --cache`);
    return join(this.lib, jar);
  }

  protected jvmArgs(): string[] {
    return [
      '-Xss256k',
      '-XX:+UseG1GC',
      '-XX:+ParallelRefProcEnabled',
      '-XX:MaxTenuringThreshold=1',
      '-XX:MaxGCPauseMillis=300',
      `-javaagent:${this.jamm()}`,
      ...JDK17_FLAGS,
      '-Djava.net.preferIPv4Stack=true',
      '-Dchronicle.analytics.disable=true',
      `-Dcassandra.config=file://${join(this.conf, 'cassandra.yaml')}`,
      `-Dlogback.configurationFile=${join(this.conf, 'logback.xml')}`,
      `-Dcassandra.logdir=${this.home}`,
      `-Dcassandra.storagedir=${this.home}`,
      // Without it CassandraDaemon closes stdout/stderr and the log file stays empty.
      '-Dcassandra-foreground=yes',
      `-Dcassandra.jmx.local.port=${this.s.cassandraJmxPort}`,
      '-Dcassandra.skip_wait_for_gossip_to_settle=0',
      '-cp',
      `${this.conf}:${this.lib}/*`,
      'org.apache.cassandra.service.CassandraDaemon',
    ];
  }

  answering(): Promise<boolean> {
    return CassandraServer.answers(this.contactPoint);
  }

  /** Ready means a CQL query is answered, not merely that the port is open. */
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
