import { Global, Module } from '@nestjs/common';
import { KafkaConnection } from './kafka-connection';
import { KafkaHealthProbe } from './kafka.health';

@Global()
@Module({
  providers: [KafkaConnection, KafkaHealthProbe],
  exports: [KafkaConnection, KafkaHealthProbe],
})
export class KafkaModule {}
