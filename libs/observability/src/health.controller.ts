import { Controller, Get, Header, HttpStatus, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { HEALTH_PROBES, HealthProbe } from './health-probe';
import { ReadinessReport, indicatorsOf, withMessage } from './readiness';

/** Each probe's time limit: a hung dependency (e.g. a stopped Cassandra node) is reported down after this. */
export const PROBE_TIMEOUT_MS = 3000;

const dependencies = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
    additionalProperties: true,
  },
};

const readinessSchema = (status: 'ok' | 'error') => ({
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: {
    status: { type: 'string', enum: [status] },
    ...(status === 'error'
      ? { message: { type: 'string', example: 'not ready: cassandra is down (no answer within 3000 ms)' } }
      : {}),
    info: dependencies,
    error: dependencies,
    details: dependencies,
  },
});

/**
 * Liveness and readiness, on every service. Liveness checks nothing outside the process, so an
 * orchestrator restarts a service only when the process itself is stuck, never because Kafka or
 * Cassandra is down (a restart would not bring them back); readiness asks every registered probe.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(HEALTH_PROBES) private readonly probes: HealthProbe[],
  ) {}

  @Get('live')
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  @ApiOperation({ summary: 'Liveness: 200 while the process answers; no dependency is checked' })
  @ApiOkResponse({
    description: 'The process works (also while Kafka or Cassandra is down)',
    schema: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' } },
    },
  })
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  // terminus throws its 503; it is answered here rather than rethrown, because an app's exception
  // filter would otherwise reshape the body and lose which dependency is down.
  @Get(['ready', ''])
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  @ApiOperation({
    summary: 'Readiness (also GET /health): 200 when every dependency answers, 503 naming each one that does not',
  })
  @ApiOkResponse({ description: 'Every dependency answers', schema: readinessSchema('ok') })
  @ApiServiceUnavailableResponse({
    description: `A dependency is down or gave no answer within ${PROBE_TIMEOUT_MS} ms; \`error\` and \`message\` name it`,
    schema: readinessSchema('error'),
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessReport> {
    try {
      return await this.health.check(indicatorsOf(this.probes, this.indicators, PROBE_TIMEOUT_MS));
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return withMessage(err.getResponse() as HealthCheckResult);
    }
  }
}
