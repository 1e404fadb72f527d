import { ParseArgsConfig, parseArgs } from 'node:util';

/**
 * A command line that cannot run. The message names the option or argument at fault; `runCli` prints
 * it with the usage and exits 2.
 */
export class CliUsageError extends Error {}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util `parseArgs`, strict: an unknown option, a missing value or (unless `positionals`) a stray
 * argument throws a CliUsageError with parseArgs's own message, which quotes the option.
 */
export function parseCommandLine<const O extends OptionsConfig>(
  args: string[],
  options: O,
  { positionals = false }: { positionals?: boolean } = {},
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals });
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}

function numberWithin(name: string, text: string, min: number, max: number, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new CliUsageError(
      `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${text}"`,
    );
  }
  return n;
}

/** `--name`'s value as a number from `min` to `max`; undefined when the option is absent. */
export function numberOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined ? undefined : numberWithin(name, text, min, max, false);
}

/** `--name`'s value as an integer from `min` to `max`; undefined when the option is absent. */
export function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined ? undefined : numberWithin(name, text, min, max, true);
}

/** `--name K[,K…]`: each comma-separated word must be one of `allowed`. */
export function listOption<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const known = new Set<string>(allowed);
  const words = text.split(',').map((k) => k.trim());
  if (words.some((k) => !known.has(k))) {
    throw new CliUsageError(`--${name} must be one or more of ${allowed.join(', ')}; got "${text}"`);
  }
  return words as T[];
}

/**
 * Runs a CLI's `main` and exits with the code it returns. Anything it throws exits 2: a usage error
 * with its message and the usage, one of `plainErrors` (e.g. a bad setting, whose message names it)
 * with its message alone, anything else as "<name> failed:" and the stack.
 */
export function runCli(
  name: string,
  usage: string,
  main: () => Promise<number>,
  plainErrors: ReadonlyArray<abstract new (...args: never[]) => Error> = [],
): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof CliUsageError) process.stderr.write(`${err.message}\n\n${usage}\n`);
      else if (plainErrors.some((kind) => err instanceof kind)) process.stderr.write(`${(err as Error).message}\n`);
      else process.stderr.write(`${name} failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(2);
    },
  );
}
