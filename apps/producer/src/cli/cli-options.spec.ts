import { loadConfig } from '@reeltime/config';
import { CliUsageError } from '@reeltime/runtime';
import { parseCliArgs } from './cli-options';

const config = loadConfig({ PRODUCER_USERS: '100', PRODUCER_SEED: '42' });

describe('parseCliArgs', () => {
  it('reads a synthetic load; an absent --rate means as fast as possible', () => {
    expect(parseCliArgs(['--count', '100000', '--users', '50', '--seed', '7'], config)).toMatchObject({
      count: 100000,
      rate: 0,
      users: 50,
      seed: 7,
      lateFraction: 0,
      retime: false,
    });
    expect(parseCliArgs(['--count', '10', '--rate', '5000'], config).rate).toBe(5000);
  });

  it('falls back to the settings for users and seed', () => {
    expect(parseCliArgs([], config)).toMatchObject({ users: 100, seed: 42, count: undefined });
  });

  it('reads a replay', () => {
    expect(parseCliArgs(['--replay', 'r.csv', '--movies', 'm.csv', '--speed', '10', '--retime'], config)).toMatchObject(
      { replay: 'r.csv', movies: 'm.csv', speed: 10, retime: true },
    );
  });

  it.each([
    [['--count', '-5'], /--count/],
    [['--rate', 'fast'], /--rate/],
    [['--late-fraction', '2'], /--late-fraction/],
    [['--speed', '10'], /--replay only/],
    [['--bogus'], /bogus/],
  ])('rejects %j naming the option', (argv, message) => {
    expect(() => parseCliArgs(argv, config)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv, config)).toThrow(message);
  });
});
