import { Logger } from '@nestjs/common';
import { LogEntry, logLevel } from 'kafkajs';
import { errorCodes } from 'kafkajs/src/protocol/error';

/** Messages of the Kafka error codes kafkajs retries by itself (e.g. "The coordinator is loading …"). */
const RETRIABLE = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));

/**
 * kafkajs logs every error response of a request at ERROR before its retry logic or its caller sees
 * it, so a fresh start (group coordinator still loading, topics created by another service) or a
 * broker restart prints errors that are handled a moment later. Those are warnings; an error that
 * outlasts the retries reaches the caller, which logs it.
 */
export function levelOf(level: logLevel, message: string, error: unknown): logLevel {
  if (level !== logLevel.ERROR || !message.startsWith('Response ')) return level;
  // Services starting together race to create the same topics; ensureTopics (the only caller)
  // settles that and rethrows if a topic stays missing.
  const handled = RETRIABLE.has(String(error)) || message.startsWith('Response CreateTopics(');
  return handled ? logLevel.WARN : level;
}

/** Routes kafkajs's own log lines through the service logger instead of its console writer. */
export function kafkaLogCreator(context = 'kafkajs') {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      // Our idempotent producers keep a bounded retry budget on purpose (a send must fail eventually so
      // a flush can back off and shutdown can finish); every reader dedupes by event id, so a resend
      // after a failed send is harmless. kafkajs warns about it on every connect.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      const line = { msg: message, ...extra };
      switch (levelOf(level, message, (extra as { error?: unknown }).error)) {
        case logLevel.ERROR:
          logger.error(line);
          break;
        case logLevel.WARN:
          logger.warn(line);
          break;
        case logLevel.INFO:
          logger.log(line);
          break;
        default:
          logger.debug(line);
      }
    };
}
