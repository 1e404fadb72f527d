import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError, findMaven } from './toolchain';
import { runToEnd } from './process';
import { say } from './log';

/** A server's jars: Maven coordinates resolved, with their runtime dependencies, into one lib folder. */
export interface Artifact {
  name: 'kafka' | 'cassandra';
  version: string;
  dependencies: Array<[group: string, artifact: string, version: string]>;
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

/** The lib directory of one artifact; it exists only once a fetch completed. */
export function libDir(cacheDir: string, a: Pick<Artifact, 'name' | 'version'>): string {
  return join(cacheDir, `${a.name}-${a.version}`, 'lib');
}

/** `mvn dependency:copy-dependencies` into `outputDir`, with a progress line every 5 s; returns the downloads. */
async function copyDependencies(a: Artifact, work: string, outputDir: string): Promise<number> {
  const mvn = findMaven();
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
  const onLine = (line: string): void => {
    if (line.includes('Downloaded from')) downloaded += 1;
    if (line.trim()) lines.push(line);
  };
  const args = ['-B', '-f', pomFile, 'dependency:copy-dependencies', '-DincludeScope=runtime'];
  const code = await runToEnd(mvn, [...args, `-DoutputDirectory=${outputDir}`], { onLine }).finally(() =>
    clearInterval(ticker),
  );
  writeFileSync(logFile, lines.join('\n'));
  if (code !== 0) {
    throw new InfraError(`mvn failed for ${a.name} (exit ${code}); last lines:\n${lines.slice(-15).join('\n')}`);
  }
  return downloaded;
}

/** Fetches an artifact into the cache shared by every checkout, unless it is there already. */
export async function fetchArtifact(cacheDir: string, a: Artifact): Promise<void> {
  const target = libDir(cacheDir, a);
  if (existsSync(target)) {
    say(a.name, `${a.name} ${a.version} already cached (${readdirSync(target).length} jars in ${target})`);
    return;
  }
  const work = join(cacheDir, `${a.name}-${a.version}`);
  const partial = join(work, 'lib.partial');
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = Date.now();
  const downloaded = await copyDependencies(a, work, partial);
  // Renamed only when complete, so an interrupted fetch is never mistaken for a cached one.
  renameSync(partial, target);
  say(
    a.name,
    `fetched ${a.name} ${a.version}: ${readdirSync(target).length} jars, ${downloaded} downloads, ` +
      `${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}
