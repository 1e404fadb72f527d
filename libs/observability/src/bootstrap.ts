import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig, ConfigError } from '@reeltime/config';
import { Logger } from 'nestjs-pino';
import { answerClientErrors } from './client-error';
import { securityHeaders } from './security-headers';

export interface ServiceOptions {
  title: string;
  /** Which of AppConfig.ports the service listens on. */
  service: keyof AppConfig['ports'];
  /** Serve OpenAPI at /docs. */
  docs?: boolean;
  /** Called on the app before it listens (e.g. to add a WebSocket adapter). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/** How much longer than its own shutdown timeout a service may take to close before it is ended. */
const SHUTDOWN_GRACE_MS = 15_000;

/**
 * SIGTERM/SIGINT close the app (each module's shutdown hooks run in order: stop consuming, flush,
 * commit, disconnect) and then exit 0. Nest's own enableShutdownHooks re-raises the signal after
 * closing, which ends the process "killed by SIGTERM" instead of with a clean exit code.
 */
function closeOnSignals(app: INestApplication): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    const logger = app.get(Logger);
    logger.log({ msg: `received ${signal}, shutting down` });
    // The last resort: each hook bounds its own work (the consumer's flush by its shutdown timeout),
    // but a client library's disconnect can wait on a dead peer. Nothing uncommitted is lost by exiting.
    const limitMs = app.get(AppConfig).batch.shutdownTimeoutMs + SHUTDOWN_GRACE_MS;
    setTimeout(() => {
      logger.error({ msg: `shutdown did not finish within ${limitMs} ms; exiting` });
      process.exit(1);
    }, limitMs).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ msg: 'shutdown failed', err: String(err) });
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a signal repeated while closing must not fall back to Node's default (exit at
  // once, no flush). Ctrl-C under `nest start` delivers SIGINT twice: from the terminal to the whole
  // process group, and again from the CLI, which forwards it to its child.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Creates, configures and starts one service: JSON logs, security headers, signal handling, optional
 * OpenAPI, the service's transports (`configure` connects them), then listen on BIND_ADDRESS and the
 * service's port.
 */
export async function startService(module: unknown, options: ServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module as Type, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  // First, so that every answer carries the headers, including those of middleware that answers
  // ahead of Nest's router (the query service's cached answers) and Express's own 404s.
  app.use(securityHeaders());
  if (options.docs) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle(options.title).setDescription('reeltime').setVersion('1').addBearerAuth().build(),
    );
    SwaggerModule.setup('docs', app, document);
  }
  await options.configure?.(app);
  const config = app.get(AppConfig);
  // Modules first (topics, caches, timers), then the transports that feed them, then HTTP.
  await app.init();
  await app.startAllMicroservices();
  answerClientErrors(app.getHttpServer() as Server);
  await app.listen(config.ports[options.service], config.bindAddress);
  // The line that says the service is up, and where: until it, /health refuses connections.
  app.get(Logger).log({ msg: 'listening', address: (app.getHttpServer() as Server).address() }, 'NestApplication');
  closeOnSignals(app);
  return app;
}

/** For main.ts: a failed start-up prints one clear line (a bad setting names its variable) and exits 1. */
export function exitOnStartupError(err: unknown): never {
  const message = err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err));
  process.stderr.write(`start-up failed: ${message}\n`);
  process.exit(1);
}
