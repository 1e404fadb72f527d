import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { parseWindow } from './trending';
import { TrendingAnswer, TrendingService } from './trending.service';
import { ReadTokenGuard } from '../api/read-token.guard';
import { RestRateLimitGuard, TOO_MANY_REQUESTS } from '../api/rate-limit';

export class TrendingQuery {
  @ApiPropertyOptional({ description: 'sliding window: 30s, 10m, 1h … at most 24h', default: '10m' })
  @IsOptional()
  @ValidateBy({
    name: 'isWindow',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && parseWindow(v).ok,
      defaultMessage: (args) => {
        const r = parseWindow(String(args?.value));
        return r.ok ? 'window is invalid' : r.reason;
      },
    },
  })
  window: string = '10m';

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be from 1 to 100' })
  @Max(100, { message: 'limit must be from 1 to 100' })
  limit: number = 10;
}

@ApiTags('movies')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'QUERY_READ_TOKEN is set and the request has no bearer token' })
@ApiForbiddenResponse({ description: 'A wrong read token' })
@ApiTooManyRequestsResponse(TOO_MANY_REQUESTS)
@UseGuards(RestRateLimitGuard, ReadTokenGuard)
@Controller('api/movies')
export class TrendingController {
  constructor(private readonly trending: TrendingService) {}

  @Get('trending')
  @ApiOperation({
    summary: 'Top movies by number of ratings in a sliding window, with their averages',
    description:
      'Windows of up to 12 minutes are counted per minute (rounded out to whole minutes); longer ones per hour, rounded out to the whole hours they overlap. `from` says where the counted span starts.',
  })
  get(@Query() q: TrendingQuery): Promise<TrendingAnswer> {
    const window = parseWindow(q.window);
    if (!window.ok) throw new Error('unvalidated window'); // ValidationPipe has checked it
    return this.trending.trending(q.window, window.ms, q.limit);
  }
}
