import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigModule, Env } from '@reeltime/config';

/** Boots a Nest module with the test's settings, for tests that need a lib's providers without a service. */
export async function bootModule(
  imports: Array<Type | ReturnType<typeof ConfigModule.forRoot>>,
  env: Env,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot({ overrides: env }), ...imports],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  await app.init();
  return app;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}
