import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runToEnd } from '../infra/process';

/** The compiled entry point of each service, relative to the repository root. */
export const SERVICE_ENTRY = (service: string): string => join('dist', 'apps', service, 'src', 'main.js');

/**
 * Node flags per service. V8 grows its old generation lazily, so a consumer draining a backlog sat at
 * ~380 MB RSS with a ~100 MB live heap; capping the old space at 192 MB keeps it near 200 MB at the
 * same throughput (bench/consumer.ts). Also in docker-compose.yml and the start:consumer script.
 */
export const SERVICE_NODE_ARGS = (service: string): string[] =>
  service === 'consumer' ? ['--max-old-space-size=192'] : [];

/** What `npm run build` compiles (tsconfig.build.json), plus the files that change how it compiles. */
const SOURCE_DIRS = ['apps', 'libs'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

export interface BuildState {
  stale: boolean;
  reason: string;
}

/**
 * Pure decision: a build is needed when an output is missing or any source is newer than the oldest
 * output (tsc rewrites every output on each build, so the oldest one dates the last build).
 */
export function buildState(
  sources: Array<{ path: string; mtimeMs: number }>,
  outputs: Array<number | undefined>,
): BuildState {
  const missing = outputs.findIndex((m) => m === undefined);
  if (missing >= 0) return { stale: true, reason: 'dist/ has no build yet' };
  const built = Math.min(...(outputs as number[]));
  const newer = sources.filter((s) => s.mtimeMs > built);
  if (newer.length === 0) return { stale: false, reason: 'dist/ is up to date' };
  const names = newer.slice(0, 3).map((s) => s.path);
  return {
    stale: true,
    reason: `${newer.length} source file(s) changed since the last build (${names.join(', ')}${newer.length > 3 ? ', …' : ''})`,
  };
}

function walk(dir: string, out: Array<{ path: string; mtimeMs: number }>, root: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') walk(full, out, root);
    } else if (/\.(ts|csv)$/.test(entry.name) && !entry.name.endsWith('.spec.ts')) {
      // .csv: assets the build copies next to the code (the producer's films).
      out.push({ path: relative(root, full), mtimeMs: statSync(full).mtimeMs });
    }
  }
}

/**
 * The entry point `nest build <service>` writes (nest-cli.json, apps/<service>/tsconfig.app.json): each
 * app compiles into its own folder under dist/nest, so the CLI never rewrites what `npm run build` put in
 * dist/apps and dist/libs while services or tests run from there.
 */
export const NEST_SERVICE_ENTRY = (service: string): string =>
  join('dist', 'nest', service, 'apps', service, 'src', 'main.js');

/** Reads the modification times of the sources and of the services' entry points (`npm run build`'s by default). */
export function inspectBuild(
  root: string,
  services: readonly string[],
  entry: (service: string) => string = SERVICE_ENTRY,
): BuildState {
  const sources: Array<{ path: string; mtimeMs: number }> = [];
  for (const dir of SOURCE_DIRS) walk(join(root, dir), sources, root);
  for (const file of SOURCE_FILES) {
    const full = join(root, file);
    if (existsSync(full)) sources.push({ path: file, mtimeMs: statSync(full).mtimeMs });
  }
  const outputs = services.map((s) => {
    const full = join(root, entry(s));
    return existsSync(full) ? statSync(full).mtimeMs : undefined;
  });
  return buildState(sources, outputs);
}

/** `npm run build`; its output is shown only when it fails (tsc's errors are what the user needs then). */
export async function runBuild(root: string): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const output: string[] = [];
  const code = await runToEnd(npm, ['run', '--silent', 'build'], { cwd: root, onLine: (line) => output.push(line) });
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}):\n${output.join('\n').trim()}`);
}
