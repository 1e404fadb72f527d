import { Logger } from '@nestjs/common';
import { LogEntry, logLevel } from 'kafkajs';

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
      switch (level) {
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
