import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Counter, Gauge, GaugeConfiguration, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus registry. One per application instance (not prom-client's global one),
 * so two services booted in one test process keep separate figures.
 */
export class MetricsRegistry extends Registry {
  constructor(readonly service: string) {
    super();
    this.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this });
  }

  /** The one naming scheme: `reeltime_<service>_<name>`, with the unit (or `_total`) in `name`. */
  nameOf(name: string): string {
    return `reeltime_${this.service}_${name}`;
  }

  counter<L extends string = never>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name: this.nameOf(name), help, labelNames, registers: [this] });
  }

  /** `collect` runs at each scrape, to set a gauge from the current state. */
  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: L[] = [],
    collect?: GaugeConfiguration<L>['collect'],
  ): Gauge<L> {
    return new Gauge({ name: this.nameOf(name), help, labelNames, registers: [this], collect });
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: L[] = [],
  ): Histogram<L> {
    return new Histogram({ name: this.nameOf(name), help, buckets, labelNames, registers: [this] });
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
