import { getHeapStatistics } from 'node:v8';
import { Test } from '@nestjs/testing';
import { ConfigError } from '@reeltime/config';
import { ConsumerModule } from './consumer.module';

describe('ConsumerModule', () => {
  it('refuses to start when STATS_CACHE_MAX_MB cannot fit the heap limit, naming both settings', async () => {
    const heapMb = getHeapStatistics().heap_size_limit / (1024 * 1024);
    const tooBig = String(Math.min(65_536, Math.ceil(heapMb)));
    // compile() builds the providers without starting them, so no broker or database is needed.
    const compiling = Test.createTestingModule({
      imports: [ConsumerModule.register({ STATS_CACHE_MAX_MB: tooBig })],
    }).compile();
    await expect(compiling).rejects.toBeInstanceOf(ConfigError);
    await expect(compiling).rejects.toThrow(/STATS_CACHE_MAX_MB[\s\S]*--max-old-space-size/);
  });
});
