import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsMovieTitle, MOVIE_MAX } from '@reeltime/contracts';
import { ApiReadAccess, ApiReadErrors, MovieRatersAnswerDto } from '../api/openapi';
import { RestRateLimitGuard } from '../api/rate-limit';
import { ReadTokenGuard } from '../api/read-token.guard';
import { PageLimit } from '../api/validation';
import { RATERS_PER_MOVIE, Rater } from './movie-raters';
import { RatingsFeed } from './ratings-feed';

export class MovieParams {
  @ApiProperty({
    description: `movie title as in the ratings, URL-encoded: 1–${MOVIE_MAX} Unicode code points`,
    minLength: 1,
    maxLength: MOVIE_MAX,
    example: 'Heat (1995)',
  })
  @IsMovieTitle()
  movie!: string;
}

export class RatersQuery {
  @PageLimit(RATERS_PER_MOVIE, RATERS_PER_MOVIE, 'raters to list')
  limit: number = RATERS_PER_MOVIE;
}

@ApiTags('movies')
@ApiReadAccess()
@ApiReadErrors()
@UseGuards(RestRateLimitGuard, ReadTokenGuard)
@Controller('api/movies')
export class MovieRatersController {
  constructor(private readonly feed: RatingsFeed) {}

  @Get(':movie/raters')
  @ApiOperation({
    summary: 'A movie’s most recent raters, newest first',
    description: `What this query instance's live feed saw since \`since\` (its start): the newest ${RATERS_PER_MOVIE} raters of each of the recently rated movies. Empty for a movie nobody rated lately.`,
  })
  @ApiOkResponse({ type: MovieRatersAnswerDto })
  raters(@Param() p: MovieParams, @Query() q: RatersQuery): { movie: string; since: string; raters: Rater[] } {
    return this.feed.raters(p.movie, q.limit);
  }
}
