import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';

export const MIN_RATE = 0.001;
export const MAX_RATE = 10_000_000;

export class SetRateDto {
  @ApiProperty({ description: 'Target ratings per second', minimum: MIN_RATE, maximum: MAX_RATE, example: 500 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'rate must be a number' })
  @Min(MIN_RATE, { message: `rate must be from ${MIN_RATE} to ${MAX_RATE}` })
  @Max(MAX_RATE, { message: `rate must be from ${MIN_RATE} to ${MAX_RATE}` })
  rate!: number;
}
