import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NEST_SERVICE_ENTRY, inspectBuild } from '../../tools/launcher/build';
import { testNamespace } from '../support/namespace';
import { ServiceName, ServiceProcess, serviceForSuite } from '../support/service-process';

const ROOT = resolve(__dirname, '..', '..');
const APPS: ServiceName[] = ['producer', 'consumer', 'query'];

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

/**
 * What `nest build <app>` produces runs as the service: path aliases resolved, the dashboard's files
 * copied. CI builds it once (`npm run build:nest` in .ci/run); run alone, this test builds it when the
 * output is missing or older than the sources.
 */
beforeAll(() => {
  if (!inspectBuild(ROOT, APPS, NEST_SERVICE_ENTRY).stale) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', '--silent', 'build:nest'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build:nest failed:\n${build.stdout}${build.stderr}`);
}, 300_000);

describe.each(APPS)('%s built by the Nest CLI', (name) => {
  // LOG_LEVEL info: the last test waits for the service's "received SIGINT" line.
  const ns = testNamespace(`nest${name}`, {
    PRODUCER_AUTOSTART: 'false',
    BATCH_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
  });
  const service = new ServiceProcess(name, ns.env, NEST_SERVICE_ENTRY(name));

  serviceForSuite(ns, service);

  it('requires its libraries by relative path, with no @reeltime/ alias left', () => {
    const left = jsFiles(join(ROOT, 'dist', 'nest', name)).filter((file) =>
      /require\("@reeltime\//.test(readFileSync(file, 'utf8')),
    );
    expect(left).toEqual([]);
  });

  it('starts and answers /health with Kafka and Cassandra up', async () => {
    const res = await fetch(`${service.url}/health`);
    expect(res.status).toBe(200);
  });

  if (name === 'query') {
    it('serves the dashboard from the files the CLI copied next to it', async () => {
      const copied = join(ROOT, 'dist', 'nest', 'query', 'apps', 'query', 'public', 'index.html');
      const res = await fetch(`${service.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(readFileSync(copied, 'utf8'));
      expect(readFileSync(copied, 'utf8')).toBe(
        readFileSync(join(ROOT, 'apps', 'query', 'public', 'index.html'), 'utf8'),
      );
    });
  }

  // Ctrl-C under `nest start` sends SIGINT twice: from the terminal to the process group, and from the
  // CLI, which forwards it to its child. The second must not cut the shutdown short.
  it('shuts down and exits 0 when SIGINT comes again while it is closing', async () => {
    const mark = service.mark();
    service.signal('SIGINT');
    await service.waitForOutput('received SIGINT, shutting down', mark, 10_000);
    expect(await service.stop(60_000, 'SIGINT')).toBe(0);
  });
});
