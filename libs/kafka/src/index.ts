export * from './kafka-connection';
export { KafkaModule } from './kafka.module';
export { KafkaHealthProbe } from './kafka.health';
export { kafkaLogCreator } from './kafka-logger';
