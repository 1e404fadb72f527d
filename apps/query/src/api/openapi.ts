import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorBodyDto } from '@reeltime/observability';
import { TOO_MANY_REQUESTS } from './rate-limit';

/**
 * The OpenAPI side of the REST answers: what each route may answer, with its body. The classes only
 * describe the JSON the services build (their interfaces stay the types the code uses); the fuzz in
 * tools/fuzz checks every answer against them.
 */

/** The answers every /api route may give besides its own: a malformed request, token, rate limit. */
export const ApiReadAccess = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiBadRequestResponse({
      description: 'A parameter breaks its rule (`message` names it), or the request is malformed HTTP',
      type: ErrorBodyDto,
    }),
    ApiUnauthorizedResponse({
      description: 'QUERY_READ_TOKEN is set and the request has no bearer token',
      type: ErrorBodyDto,
    }),
    ApiForbiddenResponse({ description: 'A wrong read token', type: ErrorBodyDto }),
    ApiTooManyRequestsResponse({ ...TOO_MANY_REQUESTS, type: ErrorBodyDto }),
  );

/** A route that reads Cassandra: 503 when it does not answer. */
export const ApiReadErrors = () =>
  applyDecorators(
    ApiServiceUnavailableResponse({
      description: 'Cassandra did not answer within QUERY_READ_TIMEOUT_MS; retry shortly',
      type: ErrorBodyDto,
    }),
  );

const hour = (description: string) =>
  ApiProperty({ description, format: 'date-time', example: '2026-11-21T10:00:00.000Z' });

export class AverageAnswerDto {
  @ApiProperty() name!: string;
  @hour('start of the UTC hour') hour!: string;
  @ApiProperty({ type: 'number', nullable: true, description: 'null when the user did not rate in that hour' })
  average!: number | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) count!: number;
}

export class MovieRatingDto {
  @ApiProperty() movie!: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10 }) rating!: number;
  @ApiProperty({ format: 'date-time' }) time!: string;
}

export class MoviesAnswerDto {
  @ApiProperty() name!: string;
  @hour('start of the UTC hour') hour!: string;
  @ApiProperty({ type: [MovieRatingDto] }) movies!: MovieRatingDto[];
  @ApiPropertyOptional({ description: 'token for the next page; absent on the last' }) pageState?: string;
}

export class HourlyStatsDto {
  @ApiProperty() name!: string;
  @hour('start of the UTC hour') hour!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) count!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) sum!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'null when count is 0' }) average!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) min!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) max!: number | null;
  @ApiProperty({ type: 'integer', isArray: true, description: 'ratings per value 1–10' }) histogram!: number[];
  @ApiProperty({ format: 'date-time', description: 'when the stats last changed' }) updatedAt!: string;
}

export class RangeAnswerDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [HourlyStatsDto], description: 'the hours in which the user rated, oldest first' })
  hours!: HourlyStatsDto[];
}

class RaterDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10 }) rating!: number;
  @ApiProperty({ format: 'date-time', description: 'the rating’s event time' }) time!: string;
}

export class MovieRatersAnswerDto {
  @ApiProperty() movie!: string;
  @ApiProperty({ format: 'date-time', description: 'since when this instance has been watching' }) since!: string;
  @ApiProperty({ type: [RaterDto], description: 'newest first' }) raters!: RaterDto[];
}

export class UserFiguresDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) count!: number;
  @ApiProperty({ type: 'number', nullable: true, minimum: 1, maximum: 10 }) average!: number | null;
}

export class UsersAnswerDto {
  @hour('start of the UTC hour') hour!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'users on this page' }) count!: number;
  @ApiProperty({ type: [String] }) users!: string[];
  @ApiPropertyOptional({ description: 'token for the next page; absent on the last' }) pageState?: string;
  @ApiPropertyOptional({
    type: [UserFiguresDto],
    description: 'with withStats=true: each listed user’s count and average in the hour, in the order of users',
  })
  stats?: UserFiguresDto[];
}

export class TrendingMovieDto {
  @ApiProperty() movie!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) count!: number;
  @ApiProperty({ type: 'number' }) average!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 0 },
    description: 'the count in each of `buckets`, oldest first (a sparkline)',
  })
  series!: number[];
}

export class TrendingAnswerDto {
  @ApiProperty({ example: '10m' }) window!: string;
  @ApiProperty({ format: 'date-time', description: 'where the counted span starts' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({
    enum: ['minute', 'hour'],
    description: 'what one step of `series` counts: a minute (windows up to 12 minutes) or an hour',
  })
  span!: 'minute' | 'hour';
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'date-time' },
    description: 'the start of each minute (or hour) counted, oldest first',
  })
  buckets!: string[];
  @ApiProperty({ type: [TrendingMovieDto] }) movies!: TrendingMovieDto[];
}

class CacheFiguresDto {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: 'integer', minimum: 0 }) entries!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) hits!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) misses!: number;
}

export class SystemStatusDto {
  @ApiProperty() instance!: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ type: 'number' }) ratingsPerSecond!: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null while unknown' }) consumerLag!: number | null;
  @ApiProperty() consumerGroup!: string;
  @ApiProperty({ type: CacheFiguresDto }) cache!: CacheFiguresDto;
}
