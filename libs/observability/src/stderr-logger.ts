import { LoggerService } from '@nestjs/common';

/**
 * The CLI's logger: one JSON line per entry on stderr, so stdout carries only the summary (which
 * scripts and the benchmark read).
 */
export class StderrLogger implements LoggerService {
  constructor(private readonly showInfo = false) {}

  private write(level: string, message: unknown, params: unknown[]): void {
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    const body = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    process.stderr.write(`${JSON.stringify({ level, context, ...body })}\n`);
  }

  log(message: unknown, ...params: unknown[]): void {
    if (this.showInfo) this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
}
