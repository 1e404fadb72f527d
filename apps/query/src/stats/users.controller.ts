import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { HourlyStats } from '@reeltime/contracts';
import { HourParams, MoviesQuery, RangeQuery, UserHourParams, UserParams, UsersQuery, hourOf } from './stats.dto';
import { AverageAnswer, MoviesAnswer, StatsService, UsersAnswer } from './stats.service';
import { ReadTokenGuard } from '../api/read-token.guard';
import { RestRateLimitGuard, TOO_MANY_REQUESTS } from '../api/rate-limit';

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'QUERY_READ_TOKEN is set and the request has no bearer token' })
@ApiForbiddenResponse({ description: 'A wrong read token' })
@ApiTooManyRequestsResponse(TOO_MANY_REQUESTS)
@UseGuards(RestRateLimitGuard, ReadTokenGuard)
@Controller('api')
export class UsersController {
  constructor(private readonly stats: StatsService) {}

  @Get('users/:name/hours/:hour/average')
  @ApiOperation({ summary: "A user's average rating in one hour (null when the user did not rate)" })
  @ApiOkResponse({ description: '{name, hour, average, count}' })
  average(@Param() p: UserHourParams): Promise<AverageAnswer> {
    return this.stats.average(p.name, hourOf(p.hour));
  }

  @Get('users/:name/hours/:hour/movies')
  @ApiOperation({ summary: 'The movies a user rated in one hour, oldest first, paged' })
  @ApiOkResponse({ description: '{name, hour, movies:[{movie, rating, time}], pageState?}' })
  movies(@Param() p: UserHourParams, @Query() q: MoviesQuery): Promise<MoviesAnswer> {
    return this.stats.movies(p.name, hourOf(p.hour), q.limit, q.pageState);
  }

  @Get('users/:name/hours/:hour/stats')
  @ApiOperation({ summary: "A user's hourly stats (count 0 when the user did not rate)" })
  hourStats(@Param() p: UserHourParams): Promise<HourlyStats> {
    return this.stats.stats(p.name, hourOf(p.hour));
  }

  @Get('users/:name/hours')
  @ApiOperation({ summary: "A user's hourly stats for a range of at most 168 hours, oldest first" })
  range(@Param() p: UserParams, @Query() q: RangeQuery): Promise<{ name: string; hours: HourlyStats[] }> {
    return this.stats.range(p.name, hourOf(q.from), hourOf(q.to));
  }

  @Get('hours/:hour/users')
  @ApiOperation({
    summary: 'The users who rated in one hour, paged',
    description:
      "Names are sorted within a page; pass the answer's pageState to get the next page (absent on the last). `count` is the number of users on this page.",
  })
  @ApiOkResponse({ description: '{hour, count, users:[name], pageState?}' })
  users(@Param() p: HourParams, @Query() q: UsersQuery): Promise<UsersAnswer> {
    return this.stats.usersInHour(hourOf(p.hour), q.limit, q.prefix, q.pageState);
  }
}
