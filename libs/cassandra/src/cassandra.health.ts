import { Injectable } from '@nestjs/common';
import { HealthProbe } from '@reeltime/observability';
import { CassandraSession } from './cassandra-session';

@Injectable()
export class CassandraHealthProbe extends HealthProbe {
  readonly key = 'cassandra';

  constructor(private readonly session: CassandraSession) {
    super();
  }

  async check(): Promise<Record<string, unknown>> {
    const version = await this.session.ping();
    const hosts = this.session.client.getState().getConnectedHosts().length;
    return { version, hosts };
  }
}
