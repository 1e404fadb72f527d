/**
 * Small, strict readers for environment variables. Each failure names the variable, so a bad value
 * stops start-up with a message a user can act on.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid setting ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * An Env carrying this key reports each setting as it is read, with its default (undefined: none).
 * That is how settingDefaults() lists every setting without a second list to keep in step.
 */
export const ON_READ = Symbol('reeltime.config.onRead');
type ObservedEnv = Env & { [ON_READ]?: (name: string, fallback: string | undefined) => void };

function raw(env: Env, name: string, fallback?: string | number | boolean): string | undefined {
  (env as ObservedEnv)[ON_READ]?.(name, fallback === undefined ? undefined : String(fallback));
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function str(env: Env, name: string, fallback: string): string {
  return raw(env, name, fallback) ?? fallback;
}

export function optionalStr(env: Env, name: string): string | undefined {
  return raw(env, name);
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `expected an integer, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${n}`);
  return n;
}

export function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw(env, name, fallback);
  return value === undefined ? fallback : integer(name, value, min, max);
}

export function optionalInt(env: Env, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = raw(env, name);
  return value === undefined ? undefined : integer(name, value, min, max);
}

export function float(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name, fallback);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(name, `expected a number, got "${value}"`);
  if (n < min || n > max) throw new ConfigError(name, `expected a number from ${min} to ${max}, got ${n}`);
  return n;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name, fallback);
  if (value === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(name, `expected true or false, got "${value}"`);
}

export function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = raw(env, name, fallback);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/** `host:port[,host:port…]`, e.g. KAFKA_BROKERS or CASSANDRA_CONTACT_POINTS. */
export function hostList(env: Env, name: string, fallback: string): string[] {
  const value = raw(env, name, fallback) ?? fallback;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new ConfigError(name, 'expected at least one host:port');
  for (const item of items) {
    const match = /^([A-Za-z0-9.\-_]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(item);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new ConfigError(name, `expected host:port, got "${item}"`);
    }
  }
  return items;
}

export function identifier(env: Env, name: string, fallback: string, pattern: RegExp, what: string): string {
  const value = str(env, name, fallback);
  if (!pattern.test(value)) throw new ConfigError(name, `expected ${what}, got "${value}"`);
  return value;
}

/** A shared secret sent as `Authorization: Bearer …`: long enough not to be guessed, and header-safe. */
/** An http(s) URL, or undefined when unset; anything else is a ConfigError naming the setting. */
export function optionalUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `expected an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `expected an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

export function optionalToken(env: Env, name: string, minLength = 16): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7e]+$/.test(value)) throw new ConfigError(name, 'expected printable ASCII without spaces');
  if (value.length < minLength) {
    throw new ConfigError(name, `expected at least ${minLength} characters, got ${value.length}`);
  }
  return value;
}

/** An address to listen on: an IPv4 or IPv6 address, or a host name. */
export function bindAddress(env: Env, name: string, fallback: string): string {
  const value = str(env, name, fallback);
  if (!/^([A-Za-z0-9.\-_]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$/.test(value)) {
    throw new ConfigError(name, `expected an address such as 127.0.0.1, 0.0.0.0 or ::, got "${value}"`);
  }
  return value;
}
