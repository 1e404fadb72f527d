import { Module } from '@nestjs/common';
import { QueryPlatformModule } from '../platform/platform.module';
import { CassandraStatsRepository, StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';
import { UsersController } from './users.controller';

/** The per-user REST reads (GET /api/users/…, /api/hours/{hour}/users), cached until a stats message drops them. */
@Module({
  imports: [QueryPlatformModule],
  controllers: [UsersController],
  providers: [{ provide: StatsRepository, useClass: CassandraStatsRepository }, StatsService],
  exports: [StatsService],
})
export class StatsModule {}
