import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Catalogue } from '../catalogue/catalogue';
import { loadCatalogue } from '../catalogue/movies-file';
import { RatingGenerator } from './rating-generator';

/**
 * What the synthetic viewers rate and how: the catalogue (PRODUCER_MOVIES_FILE or the built-in films,
 * loaded once at start-up, each bad line logged) and the seeded generator over it.
 */
@Module({
  providers: [
    {
      provide: Catalogue,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Promise<Catalogue> => {
        const logger = new Logger(Catalogue.name);
        return loadCatalogue(config.producer.moviesFile, (issue) =>
          logger.warn({ msg: 'skipped a bad line of the movies file', ...issue }),
        );
      },
    },
    {
      provide: RatingGenerator,
      inject: [AppConfig, Catalogue],
      useFactory: (config: AppConfig, catalogue: Catalogue): RatingGenerator => {
        const { users, seed, lateFraction, intervalMs } = config.producer;
        // Interval mode: viewers take turns, so each rates once per PRODUCER_INTERVAL_MS.
        return new RatingGenerator(catalogue, {
          users,
          seed,
          lateFraction,
          order: intervalMs ? 'round-robin' : 'random',
        });
      },
    },
  ],
  exports: [Catalogue, RatingGenerator],
})
export class GenerationModule {}
