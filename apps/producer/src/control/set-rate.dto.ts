import { ApiProperty } from '@nestjs/swagger';
import { IsNumber } from 'class-validator';

export const MIN_RATE = 0.001;

/** The range is checked by the controller: its upper bound is a setting (PRODUCER_MAX_RATE). */
export class SetRateDto {
  @ApiProperty({
    description: `Target ratings per second, from ${MIN_RATE} to PRODUCER_MAX_RATE (5000 unless set otherwise)`,
    minimum: MIN_RATE,
    example: 500,
  })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'rate must be a number' })
  rate!: number;
}
