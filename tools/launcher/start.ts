import { randomBytes } from 'node:crypto';
import { ConfigError, configFromEnvironment } from '@reeltime/config';
import { InfraError } from '../infra';
import { say } from '../infra/log';
import { infraSettings } from '../infra/settings';
import { Launcher } from './launcher';

const REPEAT_WINDOW_MS = 1000;

/**
 * The environment the services get: the launcher's own, plus a control token made up for this run
 * when none is set, so the producer's control API is never open (it is printed with the summary).
 */
function serviceEnvironment(): { env: NodeJS.ProcessEnv; generated: boolean } {
  // The query service's health panel asks the producer it runs next to.
  const withProducer = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
    env.QUERY_PRODUCER_URL
      ? env
      : { ...env, QUERY_PRODUCER_URL: `http://127.0.0.1:${configFromEnvironment(env).ports.producer}` };
  if (process.env.PRODUCER_CONTROL_TOKEN?.trim()) return { env: withProducer(process.env), generated: false };
  return {
    env: withProducer({ ...process.env, PRODUCER_CONTROL_TOKEN: randomBytes(24).toString('base64url') }),
    generated: true,
  };
}

/** `npm start`: everything on this machine in one command; Ctrl-C stops it all in order. */
async function main(): Promise<number> {
  const { env, generated } = serviceEnvironment();
  const output = {
    say,
    print: (line: string) => void process.stdout.write(`${line}\n`),
    color: process.stdout.isTTY === true,
  };
  const launcher = new Launcher(configFromEnvironment(env), infraSettings(), env, output, generated);

  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      launcher.requestStop({ kind: 'signal', signal });
      return;
    }
    // One Ctrl-C can arrive twice: the terminal signals the whole process group, and tsx's parent
    // process relays it to this one as well. Only a later press means "stop waiting".
    if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    // A second Ctrl-C: the user does not want to wait for the orderly stop.
    say('launcher', `${signal} again: killing the services now, without flushing`);
    launcher.killServices();
    const left = launcher.startedInfra();
    if (left.length) say('launcher', `left running: ${left.join(', ')}; stop them with npm run infra:down`);
    process.exit(130);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // Whatever ends the launcher, it leaves no service behind (they run in process groups of their own).
  process.on('exit', () => launcher.killServices());

  return launcher.run();
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A bad setting or a missing JDK is the user's to fix: its message says how; anything else gets its stack.
    const message =
      err instanceof ConfigError || err instanceof InfraError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    say('launcher', `ERROR: ${message}`);
    process.exit(1);
  },
);
