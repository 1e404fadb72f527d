import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CASSANDRA_VERSION, KAFKA_VERSION } from '../tools/infra/versions';
import { BenchResult, machine, printResult } from './lib';

/**
 * `npm run bench`: builds, runs every benchmark under bench/ (each exports `run()`), and writes a
 * dated report (Markdown + JSON) under bench/results/ with the machine, versions and settings.
 * BENCH_ONLY=consumer,producer runs a subset.
 */
const ROOT = resolve(__dirname, '..');
const ORDER = ['producer', 'consumer', 'query-rest', 'ws-fanout', 'freshness', 'soak'];

async function main(): Promise<void> {
  execSync('npm run -s build', { cwd: ROOT, stdio: 'inherit' });
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !['lib.ts', 'run-all.ts'].includes(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  const results: BenchResult[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  for (const name of available.filter((n) => !only || only.includes(n))) {
    process.stderr.write(`\n=== bench ${name}\n`);
    try {
      const mod = (await import(`./${name}`)) as { run?: () => Promise<BenchResult> };
      if (!mod.run) continue;
      const result = await mod.run();
      printResult(result);
      results.push(result);
    } catch (err) {
      failures.push({ name, error: String(err) });
      process.stderr.write(`bench ${name} failed: ${String(err)}\n`);
    }
  }
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..+/, 'Z');
  const dir = resolve(__dirname, 'results');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const versions = {
    kafka: KAFKA_VERSION,
    cassandra: CASSANDRA_VERSION,
    java: execSync('java -version 2>&1 | head -1').toString().trim(),
  };
  const report = { date: new Date().toISOString(), machine: machine(), versions, results, failures };
  writeFileSync(resolve(dir, `${stamp}.json`), JSON.stringify(report, null, 2));
  const md = [
    `# reeltime benchmarks, ${report.date}`,
    '',
    `Machine: ${JSON.stringify(report.machine)}; ${JSON.stringify(versions)}`,
    '',
    ...results.flatMap((r) => [
      `## ${r.name}`,
      '',
      r.method,
      '',
      '| figure | median | target | runs |',
      '|---|---|---|---|',
      ...Object.entries(r.figures).map(
        ([k, v]) =>
          `| ${k} | ${v} | ${r.targets?.[k] ?? ''} | ${r.runs
            .map((run) => run[k])
            .filter((v) => v !== undefined && v !== '')
            .join(', ')} |`,
      ),
      '',
    ]),
    ...(failures.length ? ['## Failed', '', ...failures.map((f) => `- ${f.name}: ${f.error}`)] : []),
  ].join('\n');
  writeFileSync(resolve(dir, `${stamp}.md`), `${md}\n`);
  process.stdout.write(`\nreport: bench/results/${stamp}.md\n`);
  if (failures.length) process.exit(1);
}

void main();
