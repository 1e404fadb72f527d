import { CliUsageError, integerOption, listOption, numberOption, parseCommandLine, runCli } from './cli-args';

describe('command-line arguments', () => {
  const OPTIONS = { count: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

  it('reads the declared options, and positionals only when asked to', () => {
    expect(parseCommandLine(['--count', '5', '--json'], OPTIONS).values).toEqual({ count: '5', json: true });
    expect(parseCommandLine(['list', '--json'], OPTIONS, { positionals: true }).positionals).toEqual(['list']);
  });

  it.each([
    [['--bogus'], /'--bogus'/],
    [['--count'], /'--count/],
    [['extra'], /'extra'/],
  ])('turns %j into a usage error that quotes it', (argv, message) => {
    expect(() => parseCommandLine(argv, OPTIONS)).toThrow(CliUsageError);
    expect(() => parseCommandLine(argv, OPTIONS)).toThrow(message);
  });

  it('checks numbers against their range and names the option', () => {
    expect(numberOption('rate', undefined, 0, 10)).toBeUndefined();
    expect(numberOption('rate', '2.5', 0, 10)).toBe(2.5);
    expect(integerOption('count', '7', 1, 10)).toBe(7);
    expect(() => integerOption('count', '2.5', 1, 10)).toThrow('--count must be an integer from 1 to 10, got "2.5"');
    expect(() => numberOption('rate', 'fast', 0, 10)).toThrow('--rate must be a number from 0 to 10, got "fast"');
    expect(() => numberOption('rate', ' ', 0, 10)).toThrow(CliUsageError);
    expect(() => numberOption('rate', '11', 0, 10)).toThrow(CliUsageError);
  });

  it('takes a comma-separated list of known words', () => {
    expect(listOption('reason', 'a, b', ['a', 'b', 'c'])).toEqual(['a', 'b']);
    expect(() => listOption('reason', 'a,z', ['a', 'b'])).toThrow('--reason must be one or more of a, b; got "a,z"');
    expect(() => listOption('reason', '', ['a'])).toThrow(CliUsageError);
  });
});

describe('runCli', () => {
  class SettingError extends Error {}
  let exit: jest.SpyInstance;
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  const run = async (main: () => Promise<number>): Promise<string> => {
    runCli('tool', 'usage: tool', main, [SettingError]);
    await new Promise((r) => setImmediate(r));
    return stderr.mock.calls.map((c) => String(c[0])).join('');
  };

  it('exits with the code main returns', async () => {
    expect(await run(() => Promise.resolve(1))).toBe('');
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('exits 2 after a usage error with the message and the usage, a plain error with its message alone', async () => {
    expect(await run(() => Promise.reject(new CliUsageError('--x is wrong')))).toBe('--x is wrong\n\nusage: tool\n');
    expect(exit).toHaveBeenLastCalledWith(2);
    stderr.mockClear();
    expect(await run(() => Promise.reject(new SettingError('KAFKA_BROKERS is empty')))).toBe(
      'KAFKA_BROKERS is empty\n',
    );
    expect(exit).toHaveBeenLastCalledWith(2);
    stderr.mockClear();
    expect(await run(() => Promise.reject(new Error('boom')))).toMatch(/^tool failed: Error: boom\n {4}at /);
    expect(exit).toHaveBeenLastCalledWith(2);
  });
});
