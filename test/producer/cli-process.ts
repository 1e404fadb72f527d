import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Env } from '@reeltime/config';

const ROOT = resolve(__dirname, '..', '..');

/** `npm run produce -- …` as a child process (the CLI runs under tsx, as the script does). */
export class ProduceCli {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Env) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'apps/producer/src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (c: Buffer) => (this.stdout += c.toString('utf8')));
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  /** The highest "sent N" progress line so far. */
  get progress(): number {
    const all = [...this.stderr.matchAll(/^sent (\d+)/gm)].map((m) => Number(m[1]));
    return all.length ? Math.max(...all) : 0;
  }

  async summary(): Promise<Record<string, number | string>> {
    const code = await this.exited;
    if (code !== 0) throw new Error(`produce exited ${code}:\n${this.stderr.slice(-3000)}`);
    return JSON.parse(this.stdout.trim().split('\n').pop()!) as Record<string, number | string>;
  }
}
