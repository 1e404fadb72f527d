import { Injectable, Type } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { KafkaBatchServer, KafkaBatchServerOptions, KafkaConnection } from '@reeltime/kafka';
import { InstanceId } from './instance-id';

/** What sets one of the query instance's Kafka readers apart from the other. */
export interface InstanceTransportSpec extends Pick<KafkaBatchServerOptions, 'consumer' | 'start' | 'waitMs'> {
  /** The group id's last part: `<KAFKA_QUERY_GROUP_PREFIX>.<instance id>.<purpose>`. */
  purpose: string;
  /** The handler pattern and the configured topic it reads. */
  topic: (config: AppConfig) => Record<string, string>;
  /** The transport id its `@EventPattern` handlers name. */
  id: symbol;
}

/**
 * A Kafka transport with a consumer group of this instance's own (InstanceId): every query instance
 * sees every message. It starts in the background (the service runs while Kafka is away) and deletes
 * its group on close, as nobody will use it again. The returned class is the provider and its token.
 */
export function instanceTransport(spec: InstanceTransportSpec): Type<KafkaBatchServer> {
  @Injectable()
  class InstanceTransport extends KafkaBatchServer {
    constructor(kafka: KafkaConnection, config: AppConfig, instance: InstanceId) {
      const { purpose, topic, id, ...reading } = spec;
      const groupId = `${config.kafka.queryGroupPrefix}.${instance.value}.${purpose}`;
      super(kafka, { groupId, topics: topic(config), onStartFailure: 'retry', ownGroup: true, ...reading }, id);
    }
  }
  return InstanceTransport;
}
