import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HourlyStats } from '@reeltime/contracts';
import {
  HourParams,
  MoviesQuery,
  RangeQuery,
  USERS_WITH_STATS_MAX,
  UserHourParams,
  UserParams,
  UsersQuery,
  hourOf,
} from './stats.dto';
import { QueryError } from '../api/query-error';
import { AverageAnswer, MoviesAnswer, StatsService, UsersAnswer } from './stats.service';
import { ReadTokenGuard } from '../api/read-token.guard';
import { MAX_RANGE_HOURS } from '../api/validation';
import { RestRateLimitGuard } from '../api/rate-limit';
import {
  ApiReadAccess,
  ApiReadErrors,
  AverageAnswerDto,
  HourlyStatsDto,
  MoviesAnswerDto,
  RangeAnswerDto,
  UsersAnswerDto,
} from '../api/openapi';

@ApiTags('users')
@ApiReadAccess()
@ApiReadErrors()
@UseGuards(RestRateLimitGuard, ReadTokenGuard)
@Controller('api')
export class UsersController {
  constructor(private readonly stats: StatsService) {}

  @Get('users/:name/hours/:hour/average')
  @ApiOperation({ summary: "A user's average rating in one hour (null when the user did not rate)" })
  @ApiOkResponse({ type: AverageAnswerDto })
  average(@Param() p: UserHourParams): Promise<AverageAnswer> {
    return this.stats.average(p.name, hourOf(p.hour));
  }

  @Get('users/:name/hours/:hour/movies')
  @ApiOperation({ summary: 'The movies a user rated in one hour, oldest first, paged' })
  @ApiOkResponse({ type: MoviesAnswerDto })
  movies(@Param() p: UserHourParams, @Query() q: MoviesQuery): Promise<MoviesAnswer> {
    return this.stats.movies(p.name, hourOf(p.hour), q.limit, q.pageState);
  }

  @Get('users/:name/hours/:hour/stats')
  @ApiOperation({ summary: "A user's hourly stats (count 0 when the user did not rate)" })
  @ApiOkResponse({ type: HourlyStatsDto })
  hourStats(@Param() p: UserHourParams): Promise<HourlyStats> {
    return this.stats.stats(p.name, hourOf(p.hour));
  }

  @Get('users/:name/hours')
  @ApiOperation({ summary: `A user's hourly stats for a range of at most ${MAX_RANGE_HOURS} hours, oldest first` })
  @ApiOkResponse({ type: RangeAnswerDto })
  range(@Param() p: UserParams, @Query() q: RangeQuery): Promise<{ name: string; hours: HourlyStats[] }> {
    return this.stats.range(p.name, hourOf(q.from), hourOf(q.to));
  }

  @Get('hours/:hour/users')
  @ApiOperation({
    summary: 'The users who rated in one hour, paged',
    description:
      "Names are sorted within a page; pass the answer's pageState to get the next page (absent on the last). `count` is the number of users on this page.",
  })
  @ApiOkResponse({ type: UsersAnswerDto })
  users(@Param() p: HourParams, @Query() q: UsersQuery): Promise<UsersAnswer> {
    if (q.withStats !== 'true') return this.stats.usersInHour(hourOf(p.hour), q.limit, q.prefix, q.pageState);
    if (q.limit > USERS_WITH_STATS_MAX) {
      throw new QueryError('bad_request', `limit must be at most ${USERS_WITH_STATS_MAX} with withStats=true`, {
        field: 'limit',
      });
    }
    return this.stats.usersInHourWithStats(hourOf(p.hour), q.limit, q.prefix, q.pageState);
  }
}
