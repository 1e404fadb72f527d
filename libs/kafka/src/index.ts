export * from './kafka-connection';
export { KafkaModule } from './kafka.module';
export { KafkaHealthProbe } from './kafka.health';
export { kafkaLogCreator } from './kafka-logger';
export { KafkaBatchServer, KafkaBatchContext } from './transport/kafka-batch.server';
export type { KafkaBatch, KafkaBatchServerOptions, OffsetCommit } from './transport/kafka-batch.server';
export { retryRetriable } from './transport/retry';
