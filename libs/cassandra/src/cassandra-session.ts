import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Client, types } from 'cassandra-driver';
import { clientOptions } from './cassandra-options';

export type Params = unknown[];
export type Row = types.Row;
export interface Page {
  rows: Row[];
  pageState?: string;
}

export interface ReadOptions {
  /** Per-statement driver timeout, for callers that must answer sooner than CASSANDRA_REQUEST_TIMEOUT_MS. */
  readTimeoutMs?: number;
}

/**
 * The service's connection to Cassandra, bound to CASSANDRA_KEYSPACE. Every statement is prepared
 * (values are never spliced into CQL) and runs at LOCAL_QUORUM.
 */
@Injectable()
export class CassandraSession implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CassandraSession.name);
  readonly client: Client;

  constructor(private readonly config: AppConfig) {
    this.client = new Client(clientOptions(config.cassandra, config.cassandra.keyspace));
    // The driver reports what it does about a node (reconnections, defunct connections, queued
    // requests) only as 'log' events; its warnings and errors are the first clue in an incident.
    this.client.on('log', (level: string, className: string, message: string) => {
      if (level === 'warning' || level === 'error')
        this.logger.warn({ msg: 'cassandra driver', level, className, message });
      else if (process.env.CASSANDRA_DRIVER_TRACE)
        this.logger.log({ msg: 'cassandra driver', level, className, message });
    });
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect();
    this.logger.log({
      msg: 'connected to Cassandra',
      contactPoints: this.config.cassandra.contactPoints,
      keyspace: this.config.cassandra.keyspace,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.shutdown();
  }

  async execute(cql: string, params: Params = [], options: ReadOptions = {}): Promise<Row[]> {
    const rs = await this.client.execute(cql, params, { prepare: true, readTimeout: options.readTimeoutMs });
    return rs.rows;
  }

  /** One page of a read; `pageState` is opaque to callers and passed back for the next page. */
  async page(
    cql: string,
    params: Params,
    fetchSize: number,
    pageState?: string,
    options: ReadOptions = {},
  ): Promise<Page> {
    const rs = await this.client.execute(cql, params, {
      prepare: true,
      fetchSize,
      pageState,
      readTimeout: options.readTimeoutMs,
    });
    return { rows: rs.rows, pageState: rs.pageState ?? undefined };
  }

  /** Every row of a read, fetched page by page. */
  async all(cql: string, params: Params, fetchSize = 5000, options: ReadOptions = {}): Promise<Row[]> {
    const rows: Row[] = [];
    let pageState: string | undefined;
    do {
      const page = await this.page(cql, params, fetchSize, pageState, options);
      rows.push(...page.rows);
      pageState = page.pageState;
    } while (pageState);
    return rows;
  }

  /**
   * An UNLOGGED batch. Callers only batch statements for one partition: such a batch is applied as
   * one mutation, whereas a multi-partition unlogged batch just loads the coordinator.
   */
  async batch(statements: Array<{ query: string; params: Params }>): Promise<void> {
    await this.client.batch(statements, { prepare: true, logged: false });
  }

  async ping(): Promise<string> {
    const rs = await this.client.execute('SELECT release_version FROM system.local', [], { prepare: true });
    return String(rs.first()?.get('release_version'));
  }
}
