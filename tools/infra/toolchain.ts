import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export class InfraError extends Error {}

function javaMajor(javaBin: string): number | undefined {
  const out = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) return undefined;
  // `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` on stderr.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(out.stderr || out.stdout);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/**
 * Cassandra 5.0 runs on JDK 11 or 17 only: on 24+ its SecurityManager call throws. So the default
 * `java` is not trusted; a JDK 17 is looked for explicitly, and Kafka uses the same one.
 */
export function findJava17(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.JAVA17_HOME) candidates.push(join(env.JAVA17_HOME, 'bin', 'java'));
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, 'bin', 'java'));
  for (const base of ['/usr/lib/jvm', '/usr/local/lib/jvm', '/opt/java', '/Library/Java/JavaVirtualMachines']) {
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base).sort()) {
      if (/17/.test(dir)) {
        candidates.push(join(base, dir, 'bin', 'java'), join(base, dir, 'Contents', 'Home', 'bin', 'java'));
      }
    }
  }
  candidates.push('java');
  const seen = new Set<string>();
  const found: string[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate) || (candidate !== 'java' && !existsSync(candidate))) continue;
    seen.add(candidate);
    const major = javaMajor(candidate);
    if (major === 17) return candidate;
    if (major !== undefined) found.push(`${candidate} (Java ${major})`);
  }
  throw new InfraError(
    `No JDK 17 found (Cassandra 5.0 needs Java 17). Checked JAVA17_HOME, JAVA_HOME, /usr/lib/jvm and PATH` +
      (found.length ? `; found only: ${found.join(', ')}` : '; no java at all') +
      `. Install one (Debian: apt-get install openjdk-17-jre-headless) or set JAVA17_HOME.`,
  );
}

export function findMaven(): string {
  const out = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new InfraError(
      'Maven (mvn) is needed once to fetch Kafka and Cassandra from Maven Central, and was not found on PATH. ' +
        'Install it (Debian: apt-get install maven).',
    );
  }
  return 'mvn';
}
