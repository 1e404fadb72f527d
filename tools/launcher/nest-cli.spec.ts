import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { NEST_SERVICE_ENTRY, SERVICE_NODE_ARGS } from './build';

const ROOT = resolve(__dirname, '..', '..');
const APPS = ['producer', 'consumer', 'query'] as const;

interface NestProject {
  sourceRoot: string;
  entryFile: string;
  exec?: string;
  compilerOptions: { tsConfigPath: string; assets?: Array<{ include: string; outDir: string }> };
}
const nestCli = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
  exec?: string;
  projects: Record<string, NestProject>;
};

/** The command line `nest start <app>` runs the compiled app with (a project's `exec`, else the top level's). */
const execOf = (app: string): string | undefined => nestCli.projects[app].exec ?? nestCli.exec;

/** The compiler options the Nest CLI reads from a project's tsconfig (extends resolved, paths absolute). */
function tsOptions(tsConfigPath: string): ts.CompilerOptions {
  const file = join(ROOT, tsConfigPath);
  const { config, error } = ts.readConfigFile(file, (path) => ts.sys.readFile(path));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, resolve(file, '..')).options;
}

describe('nest-cli.json', () => {
  it.each(APPS)('compiles %s into its own folder, where the CLI’s start and the tests look for it', (app) => {
    const project = nestCli.projects[app];
    const outDir = relative(ROOT, tsOptions(project.compilerOptions.tsConfigPath).outDir!);
    expect(outDir).toBe(join('dist', 'nest', app));
    // `nest start` runs <outDir>/<sourceRoot>/<entryFile>.js.
    expect(join(outDir, project.sourceRoot, `${project.entryFile}.js`)).toBe(NEST_SERVICE_ENTRY(app));
  });

  it('never compiles into dist/apps or dist/libs, which npm run build owns', () => {
    const outDirs = APPS.map((app) =>
      relative(ROOT, tsOptions(nestCli.projects[app].compilerOptions.tsConfigPath).outDir!),
    );
    expect(new Set(outDirs).size).toBe(APPS.length);
    for (const dir of outDirs) expect(dir.startsWith(join('dist', 'nest'))).toBe(true);
  });

  it('starts the consumer with the same Node flags as npm start and docker-compose.yml', () => {
    expect(execOf('consumer')).toBe(['exec', 'node', ...SERVICE_NODE_ARGS('consumer')].join(' '));
    expect(execOf('producer')).toBe('exec node');
    expect(execOf('query')).toBe('exec node');
  });

  it.each(APPS)('runs %s as the CLI’s own child, so that the signals the CLI forwards reach it', (app) => {
    // `nest start` runs `<exec> <file>` through `sh -c`; without `exec` the shell stays in between,
    // takes the forwarded SIGTERM itself and leaves the service running without its parent.
    expect(execOf(app)).toMatch(/^exec node\b/);
  });

  it('copies the dashboard’s files next to the compiled query app, where it looks for them first', () => {
    const assets = nestCli.projects.query.compilerOptions.assets ?? [];
    expect(assets).toHaveLength(1);
    expect(resolve(ROOT, nestCli.projects.query.sourceRoot, assets[0].include)).toBe(
      join(ROOT, 'apps/query/public/**/*'),
    );
    // findPublicDir (apps/query/src/dashboard/assets.ts) walks up from dist/nest/query/apps/query/src/dashboard.
    expect(assets[0].outDir).toBe(join('dist', 'nest', 'query', 'apps', 'query', 'public'));
  });

  it('keeps the path aliases of tsconfig.json, which the CLI rewrites to relative requires', () => {
    const root = tsOptions('tsconfig.json');
    for (const app of APPS) {
      const options = tsOptions(nestCli.projects[app].compilerOptions.tsConfigPath);
      expect(options.paths).toEqual(root.paths);
      expect(options.baseUrl).toBe(root.baseUrl);
    }
  });
});
