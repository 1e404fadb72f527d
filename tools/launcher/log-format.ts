/**
 * Turns the services' pino JSON lines into one short line each for the terminal. The full JSON goes
 * to .infra/logs/<service>.log; the terminal gets time, service, level, message and the remaining
 * fields compacted, plus the stack of an error, so errors and progress stay readable.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Fields every line carries that add nothing on a terminal (the service name is the prefix already). */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg', 'message', 'context', 'req', 'res']);

/** Nest's start-up chatter (one line per module and route): kept in the log file, left off the terminal. */
const BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
]);

const ANSI = { reset: '\x1b[0m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m' };

export interface FormatOptions {
  color: boolean;
  /** Width the service name is padded to, so messages line up. */
  nameWidth: number;
  /** The extra fields are cut at this many characters. */
  maxFieldsChars: number;
  /** The time shown on lines that carry none (plain text). */
  now: () => number;
}

export const DEFAULT_FORMAT: FormatOptions = { color: false, nameWidth: 0, maxFieldsChars: 240, now: Date.now };

function clock(time: number): string {
  return new Date(time).toISOString().slice(11, 19);
}

function levelName(level: unknown): string {
  if (typeof level === 'number') return LEVELS[level] ?? String(level);
  if (typeof level === 'string') return level.toUpperCase();
  return 'INFO';
}

function paint(text: string, code: string, on: boolean): string {
  return on ? `${code}${text}${ANSI.reset}` : text;
}

function compactValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** An error's stack, from pino's serialised `err` or a stack/trace string a Nest logger put in the line. */
function stackOf(entry: Record<string, unknown>): string | undefined {
  const err = entry.err ?? entry.error;
  if (err && typeof err === 'object' && typeof (err as { stack?: unknown }).stack === 'string') {
    return (err as { stack: string }).stack;
  }
  if (typeof entry.stack === 'string') return entry.stack;
  if (typeof entry.trace === 'string') return entry.trace;
  return undefined;
}

/**
 * One terminal line (maybe followed by an indented stack) for one line of a service's output, or
 * undefined for a blank line or Nest's start-up chatter. A line that is not JSON (e.g. "start-up failed: …" on stderr) is shown as it is.
 */
export function formatLogLine(
  service: string,
  line: string,
  options: FormatOptions = DEFAULT_FORMAT,
): string | undefined {
  const text = line.trimEnd();
  if (text.trim() === '') return undefined;
  const prefix = paint(`[${service.padEnd(options.nameWidth)}]`, ANSI.cyan, options.color);
  let entry: Record<string, unknown> | undefined;
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
    } catch {
      entry = undefined; // not JSON after all: shown verbatim below
    }
  }
  if (!entry) return `${clock(options.now())} ${prefix} ${text}`;

  const level = levelName(entry.level);
  const quiet = level === 'INFO' || level === 'DEBUG' || level === 'TRACE';
  if (quiet && typeof entry.context === 'string' && BOOT_CONTEXTS.has(entry.context)) return undefined;
  const levelColor = level === 'WARN' ? ANSI.yellow : level === 'ERROR' || level === 'FATAL' ? ANSI.red : ANSI.dim;
  const raw = entry.msg ?? entry.message;
  const message = typeof raw === 'string' ? raw : raw === undefined ? '' : compactValue(raw);
  const context = typeof entry.context === 'string' ? ` ${paint(`(${entry.context})`, ANSI.dim, options.color)}` : '';
  const stack = level === 'ERROR' || level === 'FATAL' ? stackOf(entry) : undefined;
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key) && !(stack && (key === 'err' || key === 'stack' || key === 'trace')))
    .map(([key, value]) => `${key}=${compactValue(value)}`)
    .join(' ');
  const cut = fields.length > options.maxFieldsChars ? `${fields.slice(0, options.maxFieldsChars - 1)}…` : fields;
  const time = typeof entry.time === 'number' ? entry.time : options.now();
  let out = `${clock(time)} ${prefix} ${paint(level.padEnd(5), levelColor, options.color)} ${message}${context}`;
  if (cut) out += ` ${paint(cut, ANSI.dim, options.color)}`;
  if (stack) {
    out += `\n${stack
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}`;
  }
  return out;
}
