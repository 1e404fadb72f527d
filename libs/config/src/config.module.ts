import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, configFromEnvironment } from './app-config';
import { Env } from './env';

export interface ConfigModuleOptions {
  /** Values that win over the environment; tests use them for their own keyspace, topics and ports. */
  overrides?: Env;
}

/**
 * Parses the environment once at start-up (through @nestjs/config) and provides the typed
 * `AppConfig`. A bad value throws a ConfigError naming the variable, which stops the service.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: ConfigModuleOptions = {}): DynamicModule {
    return {
      module: ConfigModule,
      imports: [
        NestConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ app: configFromEnvironment(options.overrides) })],
        }),
      ],
      providers: [
        {
          provide: AppConfig,
          inject: [ConfigService],
          useFactory: (cs: ConfigService) => cs.getOrThrow<AppConfig>('app'),
        },
      ],
      exports: [AppConfig],
    };
  }
}
