import { ConfigError, checkStatsCacheFitsHeap, loadConfig } from './index';

const MIB = 1024 * 1024;

describe('checkStatsCacheFitsHeap', () => {
  it('accepts the default cache bound under the consumer’s default heap cap (192 MiB old space = 240 MiB limit)', () => {
    expect(() => checkStatsCacheFitsHeap(loadConfig({}), 240 * MIB)).not.toThrow();
  });

  it('accepts a cache of exactly half the heap limit and refuses one MiB more', () => {
    expect(() => checkStatsCacheFitsHeap(loadConfig({ STATS_CACHE_MAX_MB: '120' }), 240 * MIB)).not.toThrow();
    expect(() => checkStatsCacheFitsHeap(loadConfig({ STATS_CACHE_MAX_MB: '121' }), 240 * MIB)).toThrow(ConfigError);
  });

  it('refuses a cache bound that cannot fit the heap, with an error naming both settings', () => {
    let error: unknown;
    try {
      checkStatsCacheFitsHeap(loadConfig({ STATS_CACHE_MAX_MB: '512' }), 240 * MIB);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('STATS_CACHE_MAX_MB');
    expect((error as Error).message).toContain('STATS_CACHE_MAX_MB');
    expect((error as Error).message).toContain('--max-old-space-size');
    expect((error as Error).message).toContain('512 MiB');
    expect((error as Error).message).toContain('240 MiB');
  });
});
