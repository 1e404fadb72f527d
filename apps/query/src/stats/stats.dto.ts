import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUserName, parseHour } from '@reeltime/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsHour, IsHourRangeEnd } from '../api/validation';

/** `hour` has passed IsHour, so it parses. */
export function hourOf(value: string): number {
  const parsed = parseHour(value);
  if (!parsed.ok) throw new Error(`unvalidated hour ${value}`);
  return parsed.hour;
}

export class UserParams {
  @ApiProperty({ description: 'user name, URL-encoded: 1–100 Unicode code points, not blank', example: 'Alice Smith' })
  @IsUserName()
  name!: string;
}

export class UserHourParams extends UserParams {
  @ApiProperty({ description: 'start of a UTC hour, ISO-8601', example: '2026-11-21T10:00:00Z' })
  @IsHour()
  hour!: string;
}

export class HourParams {
  @ApiProperty({ description: 'start of a UTC hour, ISO-8601', example: '2026-11-21T10:00:00Z' })
  @IsHour()
  hour!: string;
}

export class MoviesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be from 1 to 1000' })
  @Max(1000, { message: 'limit must be from 1 to 1000' })
  limit: number = 100;

  @ApiPropertyOptional({ description: 'opaque token from the previous page' })
  @IsOptional()
  @IsString({ message: 'pageState must be a string' })
  @Matches(/^[A-Za-z0-9_-]{1,8192}$/, { message: 'pageState is not a valid page state' })
  pageState?: string;
}

export class UsersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 1000, description: 'users per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be from 1 to 1000' })
  @Max(1000, { message: 'limit must be from 1 to 1000' })
  limit: number = 1000;

  @ApiPropertyOptional({
    description: 'only names starting with this text (case-sensitive), 1–100 characters',
    minLength: 1,
    maxLength: 100,
    example: 'Ali',
  })
  @IsOptional()
  @IsString({ message: 'prefix must be a string' })
  @Length(1, 100, { message: 'prefix must be 1 to 100 characters' })
  prefix?: string;

  @ApiPropertyOptional({ description: 'opaque token from the previous page', pattern: '^[A-Za-z0-9_-]{1,8192}$' })
  @IsOptional()
  @IsString({ message: 'pageState must be a string' })
  @Matches(/^[A-Za-z0-9_-]{1,8192}$/, { message: 'pageState is not a valid page state' })
  pageState?: string;
}

export class RangeQuery {
  @ApiProperty({ description: 'first hour (included)', example: '2026-11-20T11:00:00Z' })
  @IsHour()
  from!: string;

  @ApiProperty({ description: 'last hour (included), at most 168 hours from `from`', example: '2026-11-21T10:00:00Z' })
  @IsHour()
  @IsHourRangeEnd()
  to!: string;
}
