import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the dashboard's files are, for both `jest` (apps/query/src/…) and the compiled service
 * (dist/apps/query/src/…): the nearest ancestor holding apps/query/public, or a public/ copied next to
 * the compiled app (nest build's asset copy).
 */
export function findPublicDir(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'apps', 'query', 'public'), join(dir, 'public')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    if (dirname(dir) === dir) throw new Error(`apps/query/public/index.html not found above ${from}`);
  }
}

/** chart.js's UMD build from node_modules (its package exports hide dist/, so go via the main file). */
export function findChartJs(): string {
  const file = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: is chart.js installed?`);
  return file;
}

/**
 * socket.io's browser client, from the socket.io package itself. Served by the dashboard controller
 * rather than by socket.io (serveClient), whose answers bypass Express and so its security headers.
 */
export function findSocketIoClient(): string {
  const file = join(dirname(require.resolve('socket.io/package.json')), 'client-dist', 'socket.io.min.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: is socket.io installed?`);
  return file;
}
