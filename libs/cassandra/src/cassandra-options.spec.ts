import { loadConfig } from '@reeltime/config';
import { RECONNECT_MAX_MS, clientOptions } from './cassandra-options';

describe('Cassandra driver options', () => {
  it('tries a node that went down again within a few seconds, however long it was down', () => {
    const options = clientOptions(loadConfig({}).cassandra);
    const schedule = options.policies!.reconnection!.newSchedule();
    const delays = Array.from({ length: 30 }, () => schedule.next().value as number);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(RECONNECT_MAX_MS);
    // …and still backs off (the driver adds up to 15 % jitter), so a dead node is not hammered.
    expect(delays[delays.length - 1]).toBeGreaterThan(RECONNECT_MAX_MS * 0.8);
  });
});
