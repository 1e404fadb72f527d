import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { STATS_CACHE_HEAP_SHARE, configFromEnvironment, loadConfig, settingDefaults } from '@reeltime/config';
import { load } from 'js-yaml';
import { SERVICE_NODE_ARGS } from '../../tools/launcher/build';
import { infraSettings } from '../../tools/infra/settings';

const ROOT = resolve(__dirname, '..', '..');
const APP_SERVICES = ['consumer', 'query', 'producer'] as const;
const IMAGE_SERVICES = [...APP_SERVICES, 'schema'] as const;

interface ComposeService {
  image?: string;
  build?: unknown;
  pull_policy?: string;
  command?: string[];
  entrypoint?: string[];
  working_dir?: string;
  hostname?: string;
  environment?: Record<string, string | number | null>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: Array<string | { published?: number | string; target?: number | string }>;
  restart?: string;
  profiles?: string[];
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
}

/**
 * `docker-compose config` renders the file the way `docker compose up` would read it (interpolation,
 * anchors, merge keys) and fails on anything Compose rejects. It runs with an environment that sets
 * none of the settings, so the defaults written in the file are what is checked.
 */
function renderCompose(): Record<string, ComposeService> {
  const run = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  if (run.error && 'code' in run.error && run.error.code === 'ENOENT') {
    throw new Error(
      'docker-compose is not installed, so docker-compose.yml cannot be validated. ' +
        'Install it (Debian: apt-get install -y docker-compose) and run this test again.',
    );
  }
  if (run.status !== 0) throw new Error(`docker-compose config rejected docker-compose.yml:\n${run.stderr}`);
  return (load(run.stdout) as { services: Record<string, ComposeService> }).services;
}

/** The environment a service's code sees, as libs/config reads it. */
function serviceEnv(service: ComposeService): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? undefined : String(v)]),
  );
}

/** Published ports as {published, target}: docker-compose renders `ip:host:container` ones as strings. */
function portMappings(service: ComposeService): Array<{ published: number; target: number }> {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { published: Number(p.published), target: Number(p.target) };
    const parts = p.replace(/\/\w+$/, '').split(':');
    return { published: Number(parts[parts.length - 2]), target: Number(parts[parts.length - 1]) };
  });
}

// --- the image's file layout, derived from the Dockerfile ---------------------------------------------

interface Stage {
  name: string;
  workdir: string;
  /** Absolute paths of the files in the stage (only those this project puts there). */
  files: Set<string>;
}

interface Image {
  final: Stage;
  exposed: number[];
  cmd: string[];
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** .dockerignore entries: a path (and everything under it), or `*.ext`. */
const DOCKER_IGNORED = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

function ignoredByDocker(path: string): boolean {
  return DOCKER_IGNORED.some((p) =>
    p.startsWith('*.') ? path.endsWith(p.slice(1)) : path === p || path.startsWith(`${p}/`),
  );
}

/** Files of the build context (the repository minus .dockerignore) under a path. */
function contextFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full) || ignoredByDocker(path)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => contextFiles(posix.join(path, name)));
}

/**
 * What `tsc -p <tsconfig>` writes in a stage: the .js of every source the tsconfig includes that the
 * stage has, at outDir + its path below rootDir. The tsconfig is read from the repository (the stage's
 * copy of it is the same file), with the stage's workdir standing for the repository root.
 */
function compile(stage: Stage, tsconfig: string): string[] {
  const inStage = (repoPath: string) => posix.join(stage.workdir, relative(ROOT, repoPath));
  const file = join(ROOT, tsconfig);
  expect({ tsconfig, inStage: stage.files.has(inStage(file)) }).toEqual({ tsconfig, inStage: true });
  const { config } = ts.readConfigFile(file, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(file));
  const { outDir, rootDir } = parsed.options;
  return parsed.fileNames
    .filter((source) => !source.endsWith('.d.ts') && stage.files.has(inStage(source)))
    .map((source) => inStage(join(outDir!, relative(rootDir!, source)).replace(/\.ts$/, '.js')));
}

/** The commands a RUN line runs, with `npm run <script>` replaced by the script's own text. */
function expandNpmScripts(command: string): string {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  return command.replace(/npm run (?:-s |--silent )?([\w:-]+)/g, (_, name: string) => scripts[name] ?? '');
}

function buildImage(): Image {
  const stages = new Map<string, Stage>();
  let stage: Stage | undefined;
  let exposed: number[] = [];
  let cmd: string[] = [];
  for (const { op, args } of instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))) {
    if (op === 'FROM') {
      const name = /\sAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.size}`;
      stage = { name, workdir: '/', files: new Set() };
      stages.set(name, stage);
      continue;
    }
    if (!stage) throw new Error(`Dockerfile: ${op} before FROM`);
    const current = stage;
    if (op === 'WORKDIR') current.workdir = posix.resolve(current.workdir, args);
    if (op === 'EXPOSE') exposed = args.split(/\s+/).map((p) => Number(p.split('/')[0]));
    if (op === 'CMD' || op === 'ENTRYPOINT') cmd = JSON.parse(args) as string[];
    if (op === 'COPY') {
      const words = args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const [dest, ...sources] = words.filter((w) => !w.startsWith('--')).reverse();
      const target = posix.resolve(current.workdir, dest);
      for (const src of sources.reverse()) {
        if (from) {
          // COPY --from resolves its sources from the root of the other stage.
          const origin = stages.get(from);
          if (!origin) throw new Error(`Dockerfile: COPY --from=${from} names no earlier stage`);
          const base = posix.resolve('/', src);
          for (const f of origin.files) {
            if (f === base) current.files.add(dest.endsWith('/') ? posix.join(target, posix.basename(f)) : target);
            else if (f.startsWith(`${base}/`)) current.files.add(posix.join(target, f.slice(base.length + 1)));
          }
        } else {
          const isDir = existsSync(join(ROOT, src)) && statSync(join(ROOT, src)).isDirectory();
          for (const f of contextFiles(src)) {
            current.files.add(
              isDir ? posix.join(target, relative(src, f)) : dest.endsWith('/') ? posix.join(target, f) : target,
            );
          }
        }
      }
    }
    if (op === 'RUN') {
      const run = expandNpmScripts(args);
      if (/\bnpm ci\b/.test(run)) current.files.add(posix.join(current.workdir, 'node_modules', '.package-lock.json'));
      for (const [, tsconfig] of run.matchAll(/\btsc -p (\S+)/g)) {
        for (const out of compile(current, tsconfig)) current.files.add(out);
      }
    }
  }
  return { final: stage!, exposed, cmd };
}

/** A command's file arguments (node's own flags and `-e` scripts are not files), resolved in the image. */
function commandFiles(command: string[], workdir: string): string[] {
  const files: string[] = [];
  for (let i = 1; i < command.length; i++) {
    if (command[i] === '-e' || command[i] === '--eval') {
      i++;
      continue;
    }
    if (!command[i].startsWith('-')) files.push(posix.resolve(workdir, command[i]));
  }
  return files;
}

/** The nearest ancestor of `from` for which `found` holds (the walk findPublicDir and findCqlDir do). */
function walkUp(from: string, found: (dir: string) => boolean): string | undefined {
  for (let dir = from; ; dir = posix.dirname(dir)) {
    if (found(dir)) return dir;
    if (dir === '/') return undefined;
  }
}

function moduleSource(app: string): string {
  return readFileSync(join(ROOT, 'apps', app, 'src', `${app}.module.ts`), 'utf8');
}

describe('docker-compose.yml', () => {
  let services: Record<string, ComposeService>;
  let image: Image;

  beforeAll(() => {
    services = renderCompose();
    image = buildImage();
  });

  it('has Kafka, Cassandra, the schema job and the three services, and Prometheus and Grafana in a profile', () => {
    const byDefault = Object.keys(services).filter((name) => services[name].profiles === undefined);
    expect(byDefault.sort()).toEqual(['cassandra', 'consumer', 'kafka', 'producer', 'query', 'schema']);
    const profiled = Object.keys(services).filter((name) => services[name].profiles !== undefined);
    expect(profiled.sort()).toEqual(['grafana', 'prometheus']);
    for (const name of profiled)
      expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: ['monitoring'] });
  });

  it('runs the Kafka and Cassandra versions the local infrastructure runs, to the patch', () => {
    const infra = infraSettings({});
    expect(services.kafka.image).toBe(`apache/kafka:${infra.kafkaVersion}`);
    expect(services.cassandra.image).toBe(`cassandra:${infra.cassandraVersion}`);
  });

  it('builds one image, in the schema job, and runs the three services from it without pulling it', () => {
    const builders = Object.entries(services).filter(([, s]) => s.build !== undefined);
    expect(builders.map(([name]) => name)).toEqual(['schema']);
    const images = new Set(IMAGE_SERVICES.map((name) => services[name].image));
    expect([...images]).toEqual([services.schema.image]);
    for (const name of APP_SERVICES)
      expect({ name, pull: services[name].pull_policy }).toEqual({ name, pull: 'never' });
  });

  it('gives every long-running service a healthcheck; only the one-shot schema job has none', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'schema') {
        expect(service.healthcheck).toBeUndefined();
        expect(service.restart).toBe('no');
      } else {
        const hasHealthcheck = (service.healthcheck?.test?.length ?? 0) > 1;
        expect({ name, hasHealthcheck }).toEqual({ name, hasHealthcheck: true });
      }
    }
  });

  it('makes each service wait for what its module connects to, and for nothing else', () => {
    expect(services.schema.depends_on).toEqual({ cassandra: { condition: 'service_healthy' } });
    for (const name of APP_SERVICES) {
      const source = moduleSource(name);
      const expected: ComposeService['depends_on'] = {};
      if (/\bKafkaModule\b/.test(source)) expected.kafka = { condition: 'service_healthy' };
      // Its Cassandra session connects to the keyspace, so the schema job must have run; that job
      // itself waited for a healthy Cassandra.
      if (/\bCassandraModule\b/.test(source)) expected.schema = { condition: 'service_completed_successfully' };
      expect({ name, depends_on: services[name].depends_on }).toEqual({ name, depends_on: expected });
    }
  });

  it('runs, in every service, files that the Dockerfile puts in the image', () => {
    const { final } = image;
    for (const name of IMAGE_SERVICES) {
      const service = services[name];
      const command = [...(service.entrypoint ?? []), ...(service.command ?? image.cmd)];
      expect(command[0]).toBe('node');
      const files = commandFiles(command, service.working_dir ?? final.workdir);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files)
        expect({ name, file, inImage: final.files.has(file) }).toEqual({ name, file, inImage: true });
    }
    for (const file of commandFiles(image.cmd, final.workdir)) expect(final.files.has(file)).toBe(true);
    expect(final.files.has(posix.join(final.workdir, 'node_modules', '.package-lock.json'))).toBe(true);
  });

  it('has, in the image, the files the services look for next to their code', () => {
    const { final } = image;
    const has = (path: string) => final.files.has(path);
    const hasUnder = (dir: string) => [...final.files].some((f) => f.startsWith(`${dir}/`));
    // The query service: apps/query/public above its compiled dashboard (apps/query/src/dashboard/assets.ts).
    const dashboard = posix.join(final.workdir, 'dist', 'apps', 'query', 'src', 'dashboard');
    expect(has(posix.join(dashboard, 'assets.js'))).toBe(true);
    const publicRoot = walkUp(
      dashboard,
      (dir) =>
        has(posix.join(dir, 'apps', 'query', 'public', 'index.html')) || has(posix.join(dir, 'public', 'index.html')),
    );
    expect(publicRoot).toBeDefined();
    // The schema job: cql/ next to package.json, above its compiled file (tools/launcher/schema.ts).
    const schemaJob = posix.join(final.workdir, 'dist', 'tools', 'launcher');
    const projectRoot = walkUp(
      schemaJob,
      (dir) => has(posix.join(dir, 'package.json')) && hasUnder(posix.join(dir, 'cql')),
    );
    expect(projectRoot).toBe(final.workdir);
    const cqlFiles = readdirSync(join(ROOT, 'cql')).map((f) => posix.join(final.workdir, 'cql', f));
    for (const file of cqlFiles) expect(has(file)).toBe(true);
  });

  it('uses only setting names libs/config knows, each interpolated from the variable of its own name', () => {
    const known = new Set(settingDefaults().keys());
    for (const name of IMAGE_SERVICES) {
      const unknown = Object.keys(services[name].environment ?? {}).filter((key) => !known.has(key));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
    const raw = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      'x-app-env': Record<string, unknown>;
    };
    for (const [key, value] of Object.entries(raw['x-app-env'])) {
      const variable = /^\$\{(\w+)[:-]/.exec(String(value))?.[1];
      if (variable !== undefined) expect({ key, variable }).toEqual({ key, variable: key });
    }
  });

  it('uses libs/config defaults apart from the container addresses', () => {
    const defaults = loadConfig({});
    for (const name of IMAGE_SERVICES) {
      // loadConfig throws on any value it does not accept.
      const config = loadConfig(serviceEnv(services[name]));
      expect(config.kafka.brokers).toEqual(['kafka:9092']);
      expect(config.cassandra.contactPoints).toEqual(['cassandra:9042']);
      expect(config.cassandra.localDataCenter).toBe('datacenter1');
      expect(config.cassandra.keyspace).toBe(defaults.cassandra.keyspace);
      expect(config.kafka.topics).toEqual(defaults.kafka.topics);
      expect(config.kafka.partitions).toBe(defaults.kafka.partitions);
      expect(config.batch).toEqual(defaults.batch);
      expect(config.producer).toEqual(defaults.producer);
      expect(config.ports).toEqual(defaults.ports);
      expect(config.query.readToken).toBeUndefined();
      // Loopback inside a container would be unreachable through the published ports.
      expect(config.bindAddress).toBe('0.0.0.0');
    }
  });

  it('points KAFKA_BROKERS and CASSANDRA_CONTACT_POINTS at the ports the containers listen on', () => {
    const kafkaEnv = serviceEnv(services.kafka);
    for (const name of IMAGE_SERVICES) {
      const config = loadConfig(serviceEnv(services[name]));
      for (const broker of config.kafka.brokers) {
        const [host, port] = broker.split(':');
        expect(services[host]?.image).toBe(services.kafka.image);
        expect(kafkaEnv.KAFKA_LISTENERS).toContain(`PLAINTEXT://:${port}`);
        expect(kafkaEnv.KAFKA_ADVERTISED_LISTENERS).toContain(`PLAINTEXT://${broker}`);
        expect(services.kafka.healthcheck!.test!.join(' ')).toContain(`/dev/tcp/127.0.0.1/${port}`);
      }
      for (const point of config.cassandra.contactPoints) {
        const [host, port] = point.split(':');
        expect(services[host]?.image).toBe(services.cassandra.image);
        // 9042: the cassandra image's native transport port, where cqlsh (its healthcheck) connects too.
        expect(port).toBe('9042');
      }
    }
    // Host tools reach Kafka on the EXTERNAL listener and Cassandra on 9042, each published as documented.
    expect(portMappings(services.kafka)).toEqual([{ published: 29092, target: 29092 }]);
    expect(kafkaEnv.KAFKA_LISTENERS).toContain('EXTERNAL://:29092');
    expect(kafkaEnv.KAFKA_ADVERTISED_LISTENERS).toContain('EXTERNAL://localhost:29092');
    expect(portMappings(services.cassandra)).toEqual([{ published: 29042, target: 9042 }]);
  });

  it('publishes each service on its own port, which its healthcheck asks and the image exposes', () => {
    for (const name of APP_SERVICES) {
      const port = loadConfig(serviceEnv(services[name])).ports[name];
      expect(services[name].healthcheck!.test!.join(' ')).toContain(`127.0.0.1:${port}/health`);
      expect(portMappings(services[name])).toEqual([{ published: port, target: port }]);
      expect(image.exposed).toContain(port);
    }
  });

  it('runs the consumer with the local launcher’s heap cap, which its stats cache default fits', () => {
    expect(services.consumer.command).toEqual([
      'node',
      ...SERVICE_NODE_ARGS('consumer'),
      'dist/apps/consumer/src/main.js',
    ]);
    const oldSpaceMb = Number(/--max-old-space-size=(\d+)/.exec(services.consumer.command!.join(' '))![1]);
    // The heap limit is the old space plus the young generation, so this bound is the stricter one.
    const cacheBytes = loadConfig(serviceEnv(services.consumer)).batch.statsCacheMaxBytes;
    expect(cacheBytes).toBeLessThanOrEqual(oldSpaceMb * 1024 * 1024 * STATS_CACHE_HEAP_SHARE);
  });

  describe('monitoring profile', () => {
    /** Bind mounts as host path (in this checkout) → container path. */
    const mounts = (service: ComposeService): Map<string, string> =>
      new Map(
        (service.volumes ?? []).flatMap((v) => {
          const [source, target] =
            typeof v === 'string' ? v.split(':') : [v.type === 'bind' ? v.source : undefined, v.target];
          return source?.startsWith('/') && target ? [[target, relative(ROOT, source)] as const] : [];
        }),
      );
    const mountedFile = (service: ComposeService, containerPath: string): string => {
      const found = [...mounts(service)].find(
        ([target]) => containerPath === target || containerPath.startsWith(`${target}/`),
      );
      if (!found) throw new Error(`${containerPath} is not mounted from the repository`);
      return join(ROOT, found[1], containerPath.slice(found[0].length));
    };

    it('pins the Prometheus and Grafana images to a release', () => {
      expect(services.prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
      expect(services.grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    });

    it('mounts files that are in the repository, read-only, and publishes on loopback only', () => {
      for (const name of ['prometheus', 'grafana']) {
        const service = services[name];
        expect(mounts(service).size).toBeGreaterThan(0);
        for (const [target, source] of mounts(service)) {
          expect({ name, source, exists: existsSync(join(ROOT, source)) }).toEqual({ name, source, exists: true });
          expect(source.startsWith('ops/')).toBe(true);
          const raw = (service.volumes ?? []).find((v) => typeof v === 'string' && v.includes(`:${target}`));
          expect({ name, target, readOnly: typeof raw === 'string' && raw.endsWith(':ro') }).toEqual({
            name,
            target,
            readOnly: true,
          });
        }
        for (const p of service.ports ?? [])
          expect(typeof p === 'string' ? p : JSON.stringify(p)).toMatch(/^127\.0\.0\.1:/);
      }
    });

    it('scrapes each service at the port it listens on, on the path its metrics are served', () => {
      const configFile = /--config\.file=(\S+)/.exec((services.prometheus.command ?? []).join(' '))![1];
      const prometheus = load(readFileSync(mountedFile(services.prometheus, configFile), 'utf8')) as {
        scrape_configs: Array<{ metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
      };
      const targets = prometheus.scrape_configs.flatMap((c) =>
        c.static_configs.flatMap((s) => s.targets.map((t) => ({ target: t, path: c.metrics_path ?? '/metrics' }))),
      );
      const metricsRoute = /@Controller\('(\w+)'\)/.exec(
        readFileSync(join(ROOT, 'libs', 'observability', 'src', 'metrics.ts'), 'utf8'),
      )![1];
      const expected = APP_SERVICES.map((name) => ({
        target: `${name}:${loadConfig(serviceEnv(services[name])).ports[name]}`,
        path: `/${metricsRoute}`,
      }));
      expect(targets.sort((a, b) => a.target.localeCompare(b.target))).toEqual(
        expected.sort((a, b) => a.target.localeCompare(b.target)),
      );
    });

    it('provisions Grafana with that Prometheus and the dashboard, whose panels all use it', () => {
      const datasources = load(
        readFileSync(mountedFile(services.grafana, '/etc/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
      ) as { datasources: Array<{ uid: string; type: string; url: string }> };
      const [source] = datasources.datasources;
      expect(source.type).toBe('prometheus');
      const url = new URL(source.url);
      expect(services[url.hostname]).toBe(services.prometheus);
      expect(portMappings(services.prometheus).map((p) => p.target)).toContain(Number(url.port));

      const providers = load(
        readFileSync(mountedFile(services.grafana, '/etc/grafana/provisioning/dashboards/reeltime.yml'), 'utf8'),
      ) as { providers: Array<{ options: { path: string } }> };
      const dashboardPath = posix.join(providers.providers[0].options.path, 'reeltime.json');
      expect(relative(ROOT, mountedFile(services.grafana, dashboardPath))).toBe(
        join('ops', 'grafana', 'reeltime.json'),
      );
      expect(services.grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboardPath);

      const dashboard = JSON.parse(readFileSync(join(ROOT, 'ops', 'grafana', 'reeltime.json'), 'utf8')) as {
        panels: Array<{
          type: string;
          datasource?: { uid: string };
          targets?: Array<{ datasource?: { uid: string } }>;
        }>;
      };
      const queried = dashboard.panels.filter((p) => p.type !== 'row');
      expect(queried.length).toBeGreaterThan(0);
      for (const panel of queried) {
        expect(panel.datasource?.uid).toBe(source.uid);
        for (const t of panel.targets ?? []) expect(t.datasource?.uid).toBe(source.uid);
      }
    });

    it('starts Grafana once Prometheus is healthy', () => {
      expect(services.grafana.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
    });
  });

  describe('Kafka healthcheck', () => {
    const probe = (port: string): number | null => {
      const [kind, shell, flag, script] = services.kafka.healthcheck!.test!;
      expect([kind, shell, flag]).toEqual(['CMD', 'bash', '-c']);
      const run = spawnSync('bash', ['-c', script.replace('/dev/tcp/127.0.0.1/9092', `/dev/tcp/${host}/${port}`)], {
        timeout: 10_000,
      });
      return run.status;
    };
    let host = '';
    let port = '';

    beforeAll(() => {
      [host, port] = configFromEnvironment().kafka.brokers[0].split(':');
    });

    it('starts no JVM: it is bash, speaking to the listener itself', () => {
      const test = services.kafka.healthcheck!.test!.join(' ');
      expect(test).not.toMatch(/kafka-[\w-]+\.sh|\bjava\b|\/opt\/kafka\/bin/);
    });

    it('passes against a running broker (the tests’ own) and fails where no broker listens', () => {
      expect(probe(port)).toBe(0);
      expect(probe('1')).not.toBe(0);
    });
  });
});
