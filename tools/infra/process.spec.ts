import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from './process';
import { sleep } from '../../libs/runtime/src'; // relative: jest's global setup loads tools/infra outside its module mapper

describe('ManagedProcess', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'reeltime-proc-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('treats the process it spawned as its own whatever /proc/<pid>/cmdline reads, until it exits', async () => {
    // The marker is nowhere in `sleep`'s command line: only the child handle can vouch for it, as it
    // must in the moment after spawn when the new image's cmdline still reads empty.
    const proc = new ManagedProcess('sleeper', join(dir, 'p.pid'), join(dir, 'p.log'), 'no-such-marker');
    const pid = proc.start('sleep', ['30'], dir);
    expect(proc.pid()).toBe(pid);
    await proc.kill();
    expect(proc.pid()).toBeUndefined();
  });

  it('does not own a live process from a PID file whose command line lacks the marker', async () => {
    const other = new ManagedProcess('other', join(dir, 'o.pid'), join(dir, 'o.log'), 'x');
    const pid = other.start('sleep', ['30'], dir);
    try {
      writeFileSync(join(dir, 'q.pid'), `${pid}\n`);
      const proc = new ManagedProcess('q', join(dir, 'q.pid'), join(dir, 'q.log'), 'no-such-marker');
      expect(proc.pid()).toBeUndefined();
      expect(proc.clearStale()).toBe(true);
      expect(await proc.stop()).toBe(false);
    } finally {
      await other.kill();
    }
  });

  it('notices a spawned process that exits on its own', async () => {
    const proc = new ManagedProcess('short', join(dir, 's.pid'), join(dir, 's.log'), 'no-such-marker');
    proc.start('true', [], dir);
    for (let i = 0; i < 50 && proc.pid() !== undefined; i++) await sleep(20);
    expect(proc.pid()).toBeUndefined();
  });
});
