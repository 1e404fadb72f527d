import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, ValidateBy } from 'class-validator';
import { WINDOW_FORMAT, parseWindow } from './trending';
import { MAX_TRENDING_LIMIT, TrendingAnswer, TrendingService } from './trending.service';
import { ReadTokenGuard } from '../api/read-token.guard';
import { RestRateLimitGuard } from '../api/rate-limit';
import { ApiReadAccess, ApiReadErrors, TrendingAnswerDto } from '../api/openapi';
import { PageLimit } from '../api/validation';

export class TrendingQuery {
  @ApiPropertyOptional({
    description: 'sliding window: 30s, 10m, 1h … longer than 0 and at most 24h (else 400)',
    pattern: WINDOW_FORMAT.source,
    default: '10m',
  })
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

  @PageLimit(MAX_TRENDING_LIMIT, 10)
  limit: number = 10;
}

@ApiTags('movies')
@ApiReadAccess()
@ApiReadErrors()
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
  @ApiOkResponse({ type: TrendingAnswerDto })
  get(@Query() q: TrendingQuery): Promise<TrendingAnswer> {
    const window = parseWindow(q.window);
    if (!window.ok) throw new Error('unvalidated window'); // ValidationPipe has checked it
    return this.trending.trending(q.window, window.ms, q.limit);
  }
}
