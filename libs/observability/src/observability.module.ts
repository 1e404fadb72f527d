import { DynamicModule, Module, Type } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health.controller';
import { HEALTH_PROBES, HealthProbe } from './health-probe';
import { MetricsController, MetricsRegistry } from './metrics';

export interface ObservabilityOptions {
  service: string;
  /** The dependencies readiness checks; each class must be provided by an imported module. */
  probes: Array<Type<HealthProbe>>;
  /** Modules that provide probes of the service's own (e.g. the consumer's pipeline), not a lib's. */
  imports?: Array<Type | DynamicModule>;
}

/**
 * Structured JSON logs (pino, level from LOG_LEVEL), GET /metrics, and GET /health/live and
 * /health/ready (= /health) for one service.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        ...(options.imports ?? []),
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              level: config.logLevel,
              base: { service: options.service },
              // Request logs would drown the pipeline's own lines under load; errors are still logged.
              autoLogging: false,
              quietReqLogger: true,
            },
          }),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: MetricsRegistry, useFactory: () => new MetricsRegistry(options.service) },
        { provide: HEALTH_PROBES, inject: options.probes, useFactory: (...probes: HealthProbe[]) => probes },
      ],
      exports: [MetricsRegistry],
    };
  }
}
