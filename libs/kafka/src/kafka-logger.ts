import { Logger } from '@nestjs/common';
import { LogEntry, logLevel } from 'kafkajs';

/** Routes kafkajs's own log lines through the service logger instead of its console writer. */
export function kafkaLogCreator(context = 'kafkajs') {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
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
