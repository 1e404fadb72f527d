import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** GET /producer: what the producer is doing. */
export class ProducerStatus {
  @ApiProperty() running!: boolean;
  @ApiProperty({
    enum: ['rate', 'interval'],
    description: 'rate: PRODUCER_RATE ratings/s; interval: every viewer rates once per PRODUCER_INTERVAL_MS',
  })
  mode!: 'rate' | 'interval';
  @ApiProperty({ description: 'Target ratings per second (in interval mode: users × 1000 / intervalMs)' })
  targetRate!: number;
  @ApiPropertyOptional() intervalMs?: number;
  @ApiProperty({ description: 'Acknowledged ratings per second over the last 5 s' }) currentRate!: number;
  @ApiProperty() users!: number;
  @ApiProperty() seed!: number;
  @ApiProperty() lateFraction!: number;
  @ApiProperty() catalogueSize!: number;
  @ApiProperty() topic!: string;
  @ApiProperty({ description: 'Ratings generated since start-up' }) generated!: number;
  @ApiProperty({ description: 'Ratings acknowledged by Kafka since start-up' }) sent!: number;
  @ApiProperty({ description: 'Failed send attempts (retried)' }) errors!: number;
  @ApiProperty({ description: 'Queued or in flight' }) pending!: number;
}
