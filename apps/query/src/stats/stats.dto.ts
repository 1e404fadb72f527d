import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HOUR_FORMAT, IsUserName, NAME_MAX, parseHour } from '@reeltime/contracts';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsHour, IsHourRangeEnd, MAX_RANGE_HOURS, PageLimit, PageState } from '../api/validation';

/** The most movies one page of GET …/movies lists. */
export const MOVIES_PAGE_MAX = 1000;
/** The most users one page of GET /api/hours/{hour}/users lists (also its default). */
export const USERS_PAGE_MAX = 1000;
/** The most users a page with `withStats=true` lists: each costs one stats read (cached or not). */
export const USERS_WITH_STATS_MAX = 100;
const PREFIX_MAX = 100;

/** `hour` has passed IsHour, so it parses. */
export function hourOf(value: string): number {
  const parsed = parseHour(value);
  if (!parsed.ok) throw new Error(`unvalidated hour ${value}`);
  return parsed.hour;
}

/** The OpenAPI schema of an hour: its shape as a pattern; the calendar and the start of the hour are checked too (400). */
const hourProperty = (description: string, example: string) =>
  ApiProperty({
    description: `${description}: ISO-8601, \`2026-11-21T10:00:00Z\`, \`2026-11-21T10:00Z\` or \`2026-11-21T10\` (UTC without an offset); a real calendar date and the start of an hour, else 400`,
    pattern: HOUR_FORMAT.source,
    example,
  });

export class UserParams {
  @ApiProperty({
    description: `user name, URL-encoded: 1–${NAME_MAX} Unicode code points, not blank, no control characters`,
    minLength: 1,
    maxLength: NAME_MAX,
    example: 'Alice Smith',
  })
  @IsUserName()
  name!: string;
}

export class UserHourParams extends UserParams {
  @hourProperty('start of a UTC hour', '2026-11-21T10:00:00Z')
  @IsHour()
  hour!: string;
}

export class HourParams {
  @hourProperty('start of a UTC hour', '2026-11-21T10:00:00Z')
  @IsHour()
  hour!: string;
}

export class MoviesQuery {
  @PageLimit(MOVIES_PAGE_MAX, 100, 'movies per page')
  limit: number = 100;

  @PageState()
  pageState?: string;
}

export class UsersQuery {
  @PageLimit(USERS_PAGE_MAX, USERS_PAGE_MAX, 'users per page')
  limit: number = USERS_PAGE_MAX;

  @ApiPropertyOptional({
    description: `only names starting with this text (case-sensitive), 1–${PREFIX_MAX} characters`,
    minLength: 1,
    maxLength: PREFIX_MAX,
    example: 'Ali',
  })
  @IsOptional()
  @IsString({ message: 'prefix must be a string' })
  @Length(1, PREFIX_MAX, { message: `prefix must be 1 to ${PREFIX_MAX} characters` })
  prefix?: string;

  @PageState()
  pageState?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: `with \`true\`, each listed user's count and average in the hour too (\`stats\`); \`limit\` must then be at most ${USERS_WITH_STATS_MAX}`,
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'withStats must be true or false' })
  withStats?: 'true' | 'false';
}

export class RangeQuery {
  @hourProperty('first hour (included)', '2026-11-20T11:00:00Z')
  @IsHour()
  from!: string;

  @hourProperty(
    `last hour (included), not before \`from\` and at most ${MAX_RANGE_HOURS} hours from it`,
    '2026-11-21T10:00:00Z',
  )
  @IsHour()
  @IsHourRangeEnd()
  to!: string;
}
