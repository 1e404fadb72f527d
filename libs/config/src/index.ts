export { AppConfig, loadConfig, configFromEnvironment, settingDefaults } from './app-config';
export type { LogLevel } from './app-config';
export { ConfigError } from './env';
export type { Env } from './env';
export { ConfigModule } from './config.module';
export type { ConfigModuleOptions } from './config.module';
export { STATS_CACHE_HEAP_SHARE, checkStatsCacheFitsHeap } from './heap-budget';
