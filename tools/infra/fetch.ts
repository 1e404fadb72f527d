import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraSettings } from './settings';
import { InfraError, findMaven } from './toolchain';
import { say } from './log';

interface Artifact {
  name: 'kafka' | 'cassandra';
  version: string;
  dependencies: Array<[group: string, artifact: string, version: string]>;
}

function artifacts(s: InfraSettings): Artifact[] {
  return [
    {
      name: 'kafka',
      version: s.kafkaVersion,
      dependencies: [
        ['org.apache.kafka', 'kafka_2.13', s.kafkaVersion],
        // The broker's POM leaves out the SLF4J binding (it ships only in the tarball); without it the
        // broker logs nothing at all, so readiness could not be seen in its log.
        ['org.apache.logging.log4j', 'log4j-slf4j-impl', s.log4jVersion],
      ],
    },
    {
      name: 'cassandra',
      version: s.cassandraVersion,
      dependencies: [['org.apache.cassandra', 'cassandra-all', s.cassandraVersion]],
    },
  ];
}

function pom(a: Artifact): string {
  const deps = a.dependencies
    .map(
      ([g, id, v]) =>
        `<dependency><groupId>${g}</groupId><artifactId>${id}</artifactId><version>${v}</version></dependency>`,
    )
    .join('\n    ');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>reeltime.local</groupId><artifactId>${a.name}-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`;
}

/** The lib directory of one component; it exists only once a fetch completed. */
export function libDir(s: InfraSettings, name: 'kafka' | 'cassandra'): string {
  const version = name === 'kafka' ? s.kafkaVersion : s.cassandraVersion;
  return join(s.cacheDir, `${name}-${version}`, 'lib');
}

async function fetchOne(s: InfraSettings, a: Artifact): Promise<void> {
  const target = libDir(s, a.name);
  if (existsSync(target)) {
    say(a.name, `${a.name} ${a.version} already cached (${readdirSync(target).length} jars in ${target})`);
    return;
  }
  const mvn = findMaven();
  const work = join(s.cacheDir, `${a.name}-${a.version}`);
  const partial = join(work, 'lib.partial');
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pomFile = join(work, 'pom.xml');
  writeFileSync(pomFile, pom(a));
  const logFile = join(work, 'fetch.log');
  say(a.name, `fetching ${a.name} ${a.version} from Maven Central (log: ${logFile})`);
  const started = Date.now();
  const lines: string[] = [];
  let downloaded = 0;
  const ticker = setInterval(() => {
    say(a.name, `  … ${downloaded} artifacts downloaded, ${Math.round((Date.now() - started) / 1000)}s`);
  }, 5000);
  try {
    await new Promise<void>((resolvePromise, reject) => {
      const child = spawn(
        mvn,
        ['-B', '-f', pomFile, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const onData = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.includes('Downloaded from')) downloaded += 1;
          if (line.trim()) lines.push(line);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('close', (code) => {
        writeFileSync(logFile, lines.join('\n'));
        if (code === 0) resolvePromise();
        else
          reject(
            new InfraError(`mvn failed for ${a.name} (exit ${code}); last lines:\n${lines.slice(-15).join('\n')}`),
          );
      });
    });
  } finally {
    clearInterval(ticker);
  }
  // Renamed only when complete, so an interrupted fetch is never mistaken for a cached one.
  renameSync(partial, target);
  say(
    a.name,
    `fetched ${a.name} ${a.version}: ${readdirSync(target).length} jars, ${downloaded} downloads, ` +
      `${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}

export async function fetchAll(s: InfraSettings): Promise<void> {
  // The two resolutions are independent; running them side by side roughly halves a cold fetch.
  await Promise.all(artifacts(s).map((a) => fetchOne(s, a)));
}
