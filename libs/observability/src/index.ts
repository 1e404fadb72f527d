export { HealthProbe, HEALTH_PROBES } from './health-probe';
export type { ReadinessReport } from './readiness';
export { MetricsRegistry, MetricsController } from './metrics';
export { startService, exitOnStartupError } from './bootstrap';
export type { ServiceOptions } from './bootstrap';
export { ObservabilityModule } from './observability.module';
export type { ObservabilityOptions } from './observability.module';
