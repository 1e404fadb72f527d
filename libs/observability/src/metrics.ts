import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus registry. One per application instance (not prom-client's global one),
 * so two services booted in one test process keep separate figures.
 */
export class MetricsRegistry extends Registry {
  constructor(service: string) {
    super();
    this.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this });
  }
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics of this service (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'the exposition text', schema: { type: 'string' } })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
