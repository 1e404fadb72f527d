import { Module } from '@nestjs/common';
import { ProductionModule } from '../production/production.module';
import { ProducerController } from './producer.controller';

/** The HTTP control API (GET /producer, start, stop, rate), behind ControlAccessGuard. */
@Module({
  imports: [ProductionModule],
  controllers: [ProducerController],
})
export class ControlModule {}
