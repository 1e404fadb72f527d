import { Injectable } from '@nestjs/common';
import { HealthProbe } from '@reeltime/observability';
import { KafkaConnection } from './kafka-connection';

@Injectable()
export class KafkaHealthProbe extends HealthProbe {
  readonly key = 'kafka';

  constructor(private readonly kafka: KafkaConnection) {
    super();
  }

  async check(): Promise<Record<string, unknown>> {
    const brokers = await this.kafka.ping();
    return { brokers };
  }
}
