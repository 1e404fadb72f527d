import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { HOUR_MS, parseHour } from '@reeltime/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, ValidationOptions } from 'class-validator';

export const MAX_RANGE_HOURS = 168;

/** An ISO-8601 start of an hour (see parseHour). */
export function IsHour(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHour',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && parseHour(v).ok,
        defaultMessage: (args) => {
          const result = typeof args?.value === 'string' ? parseHour(args.value) : undefined;
          const reason = result && !result.ok ? result.reason : 'must be an ISO-8601 hour such as 2026-11-21T10:00:00Z';
          return `${args?.property ?? 'hour'} ${reason}`;
        },
      },
    },
    options,
  );
}

/** On `to`: not before `from`, and at most 168 hours from `from` to `to`, both included. */
export function IsHourRangeEnd(options?: ValidationOptions): PropertyDecorator {
  const check = (to: unknown, from: unknown): string | undefined => {
    if (typeof to !== 'string' || typeof from !== 'string') return undefined;
    const a = parseHour(from);
    const b = parseHour(to);
    if (!a.ok || !b.ok) return undefined; // the format is IsHour's to report
    if (b.hour < a.hour) return 'to must not be before from';
    if ((b.hour - a.hour) / HOUR_MS + 1 > MAX_RANGE_HOURS) {
      return `to must be at most ${MAX_RANGE_HOURS} hours from from (both included)`;
    }
    return undefined;
  };
  return ValidateBy(
    {
      name: 'isHourRangeEnd',
      validator: {
        validate: (v: unknown, args) => check(v, (args?.object as { from?: unknown }).from) === undefined,
        defaultMessage: (args) => check(args?.value, (args?.object as { from?: unknown }).from) ?? 'to is invalid',
      },
    },
    options,
  );
}

/** Decorators applied as if stacked above a property (the last one first), so rules keep their order. */
const stacked = (...decorators: PropertyDecorator[]) => applyDecorators(...decorators.reverse());

/** A query's optional `limit`: an integer from 1 to `max`, `fallback` when absent. */
export function PageLimit(max: number, fallback: number, description?: string): PropertyDecorator {
  const rule = `limit must be from 1 to ${max}`;
  return stacked(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: max,
      default: fallback,
      ...(description === undefined ? {} : { description }),
    }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: 'limit must be an integer' }),
    Min(1, { message: rule }),
    Max(max, { message: rule }),
  );
}

/** A page state as the API hands it out: base64url of the driver's page state. */
export const PAGE_STATE_FORMAT = /^[A-Za-z0-9_-]{1,8192}$/;

/** A query's optional `pageState`: the opaque token of the previous page. */
export function PageState(): PropertyDecorator {
  return stacked(
    ApiPropertyOptional({ description: 'opaque token from the previous page', pattern: PAGE_STATE_FORMAT.source }),
    IsOptional(),
    IsString({ message: 'pageState must be a string' }),
    Matches(PAGE_STATE_FORMAT, { message: 'pageState is not a valid page state' }),
  );
}
