import { loadConfig } from '@reeltime/config';
import { infraSettings } from '../infra/settings';
import { isLocalTarget, planInfra } from './infra';

describe('isLocalTarget', () => {
  it.each([
    [['127.0.0.1:9092'], 9092, true],
    [['localhost:9092'], 9092, true],
    [['[::1]:9092'], 9092, true],
    [['127.0.0.1:9093'], 9092, false],
    [['kafka:9092'], 9092, false],
    [['127.0.0.1:9092', '127.0.0.1:9094'], 9092, false],
  ])('%j with local port %d → %s', (hosts, port, expected) => {
    expect(isLocalTarget(hosts, port)).toBe(expected);
  });
});

describe('planInfra', () => {
  const settings = infraSettings({});

  it('runs both locally with the default settings', () => {
    expect(planInfra(loadConfig({}), settings)).toEqual({ kafka: true, cassandra: true });
  });

  it('leaves out what the settings point elsewhere', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'broker.example:9092' });
    expect(planInfra(config, settings)).toEqual({ kafka: false, cassandra: true });
    const both = loadConfig({ KAFKA_BROKERS: 'k:9092', CASSANDRA_CONTACT_POINTS: 'c1:9042,c2:9042' });
    expect(planInfra(both, settings)).toEqual({ kafka: false, cassandra: false });
  });
});
