import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { AppConfig } from '@reeltime/config';
import { Client, types } from 'cassandra-driver';
import { missingKeyspace } from './cassandra-errors';
import { RepeatLimiter } from '@reeltime/runtime';
import { clientOptions } from './cassandra-options';

/** A driver message's length in the log: server warnings quote the whole statement, 2 KB for a batch. */
const MAX_LOGGED_CHARS = 300;

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

/** How a service wants its driver to behave where the services differ. */
export abstract class CassandraTuning {
  /**
   * Close a connection as soon as a request on it times out on the client, instead of keeping it until
   * 64 requests are outstanding (the driver's default). The request's stream id stays taken until its
   * answer comes, and after Cassandra was frozen mid-request (SIGSTOP, a long GC pause) the driver's
   * stream-id bookkeeping was seen corrupted: every later flush attempt timed out for minutes, and one
   * failed with "Cannot read properties of undefined (reading 'push')" inside the driver. A fresh
   * connection has no orphaned streams. For the consumer, whose requests rarely time out and whose
   * flush retries as a whole; not for the query service, whose 800 ms read deadlines would make it churn.
   */
  closeConnectionOnTimeout?: boolean;
}

/**
 * The service's connection to Cassandra, bound to CASSANDRA_KEYSPACE. Every statement is prepared
 * (values are never spliced into CQL) and runs at LOCAL_QUORUM.
 */
@Injectable()
export class CassandraSession implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CassandraSession.name);
  private readonly repeats = new RepeatLimiter(60_000);
  readonly client: Client;

  constructor(
    private readonly config: AppConfig,
    @Optional() tuning?: CassandraTuning,
  ) {
    const options = clientOptions(config.cassandra, config.cassandra.keyspace);
    // The driver closes a connection once more than this many of its requests have timed out unanswered.
    if (tuning?.closeConnectionOnTimeout)
      options.socketOptions = { ...options.socketOptions, defunctReadTimeoutThreshold: 0 };
    this.client = new Client(options);
    // The driver reports what it does about a node (reconnections, defunct connections, queued
    // requests) only as 'log' events; its warnings and errors are the first clue in an incident. A
    // server warning comes back with every answer it applies to, so each kind is logged once a minute,
    // with how many were held back, and without the statement it quotes.
    this.client.on('log', (level: string, className: string, message: string) => {
      if (level !== 'warning' && level !== 'error') return;
      const text = message.length > MAX_LOGGED_CHARS ? `${message.slice(0, MAX_LOGGED_CHARS)}…` : message;
      const repeatedSinceLast = this.repeats.admit(`${className}:${text.replace(/\d+/g, '#')}`);
      if (repeatedSinceLast !== undefined)
        this.logger.warn({ msg: 'cassandra driver', level, className, message: text, repeatedSinceLast });
    });
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect().catch((err: unknown) => {
      throw missingKeyspace(err, this.config.cassandra.keyspace) ?? err;
    });
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
