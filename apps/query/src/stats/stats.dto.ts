import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HOUR_FORMAT, IsUserName, NAME_MAX, parseHour } from '@reeltime/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsHour, IsHourRangeEnd, MAX_RANGE_HOURS } from '../api/validation';

/** The most movies one page of GET …/movies lists. */
export const MOVIES_PAGE_MAX = 1000;
/** The most users one page of GET /api/hours/{hour}/users lists (also its default). */
export const USERS_PAGE_MAX = 1000;
/** A page state as the API hands it out: base64url of the driver's page state. */
export const PAGE_STATE_FORMAT = /^[A-Za-z0-9_-]{1,8192}$/;
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

const limitRule = (max: number) => `limit must be from 1 to ${max}`;

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
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MOVIES_PAGE_MAX,
    default: 100,
    description: 'movies per page',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: limitRule(MOVIES_PAGE_MAX) })
  @Max(MOVIES_PAGE_MAX, { message: limitRule(MOVIES_PAGE_MAX) })
  limit: number = 100;

  @ApiPropertyOptional({ description: 'opaque token from the previous page', pattern: PAGE_STATE_FORMAT.source })
  @IsOptional()
  @IsString({ message: 'pageState must be a string' })
  @Matches(PAGE_STATE_FORMAT, { message: 'pageState is not a valid page state' })
  pageState?: string;
}

export class UsersQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: USERS_PAGE_MAX,
    default: USERS_PAGE_MAX,
    description: 'users per page',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: limitRule(USERS_PAGE_MAX) })
  @Max(USERS_PAGE_MAX, { message: limitRule(USERS_PAGE_MAX) })
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

  @ApiPropertyOptional({ description: 'opaque token from the previous page', pattern: PAGE_STATE_FORMAT.source })
  @IsOptional()
  @IsString({ message: 'pageState must be a string' })
  @Matches(PAGE_STATE_FORMAT, { message: 'pageState is not a valid page state' })
  pageState?: string;
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
