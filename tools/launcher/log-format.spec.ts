import { DEFAULT_FORMAT, FormatOptions, formatLogLine } from './log-format';

const at = Date.UTC(2026, 10, 21, 10, 15, 30);
const options: FormatOptions = { ...DEFAULT_FORMAT, now: () => at };

describe('formatLogLine', () => {
  it('shows a pino line as time, service, level, message and context without the noise fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: at,
      pid: 42,
      hostname: 'box',
      service: 'consumer',
      context: 'FlushService',
      msg: 'flushed',
      records: 120,
    });
    expect(formatLogLine('consumer', line, options)).toBe(
      '10:15:30 [consumer] INFO  flushed (FlushService) records=120',
    );
  });

  it('quotes string fields with spaces and compacts objects', () => {
    const line = JSON.stringify({ level: 40, time: at, msg: 'slow', where: 'a b', topics: ['x', 'y'] });
    expect(formatLogLine('query', line, options)).toBe('10:15:30 [query] WARN  slow where="a b" topics=["x","y"]');
  });

  it('puts an error stack on indented lines after the message', () => {
    const line = JSON.stringify({
      level: 50,
      time: at,
      msg: 'flush failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.js:1:1)' },
    });
    expect(formatLogLine('consumer', line, options)).toBe(
      '10:15:30 [consumer] ERROR flush failed\n    Error: boom\n        at f (x.js:1:1)',
    );
  });

  it('shows a line that is not JSON as it is, with the current time', () => {
    expect(formatLogLine('producer', 'start-up failed: Invalid setting PRODUCER_RATE', options)).toBe(
      '10:15:30 [producer] start-up failed: Invalid setting PRODUCER_RATE',
    );
    expect(formatLogLine('producer', '{not json', options)).toBe('10:15:30 [producer] {not json');
  });

  it('drops blank lines', () => {
    expect(formatLogLine('query', '   ', options)).toBeUndefined();
  });

  it("leaves Nest's per-module and per-route start-up lines off the terminal, but not its warnings", () => {
    const line = (level: number, context: string): string =>
      JSON.stringify({ level, time: at, context, msg: 'Mapped {/health, GET} route' });
    expect(formatLogLine('query', line(30, 'RouterExplorer'), options)).toBeUndefined();
    expect(formatLogLine('query', line(30, 'InstanceLoader'), options)).toBeUndefined();
    expect(formatLogLine('query', line(40, 'RouterExplorer'), options)).toContain('WARN');
    expect(formatLogLine('query', line(30, 'StatsSubscription'), options)).toContain('Mapped');
  });

  it('pads the service name when asked, so messages line up', () => {
    const line = JSON.stringify({ level: 30, time: at, msg: 'm' });
    expect(formatLogLine('query', line, { ...options, nameWidth: 8 })).toBe('10:15:30 [query   ] INFO  m');
  });

  it('cuts long field lists', () => {
    const line = JSON.stringify({ level: 30, time: at, msg: 'm', blob: 'x'.repeat(500) });
    const out = formatLogLine('query', line, { ...options, maxFieldsChars: 20 })!;
    expect(out.endsWith('…')).toBe(true);
    expect(out.length).toBeLessThan(60);
  });

  it('colours the level only when asked', () => {
    const line = JSON.stringify({ level: 50, time: at, msg: 'bad' });
    expect(formatLogLine('query', line, options)).not.toContain('\x1b[');
    expect(formatLogLine('query', line, { ...options, color: true })).toContain('\x1b[31mERROR');
  });
});
