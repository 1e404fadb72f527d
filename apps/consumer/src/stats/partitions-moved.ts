/**
 * Thrown by a write that found its partitions had moved (a rebalance): it stops issuing writes, and
 * the batch is left to the new owner, which gets it again from Kafka.
 *
 * Why stopping is enough: the new owner only gets its assignment after this member has rejoined the
 * group, i.e. after it saw the rebalance. Writes it issued before that carry older client-side
 * timestamps than anything the new owner writes, so where they land late Cassandra keeps the new
 * owner's stats and trending rows; its `records` rows are upserts of events the new owner also gets.
 */
export class PartitionsMoved extends Error {
  constructor() {
    super('the partitions moved to another consumer during the write');
    this.name = 'PartitionsMoved';
  }
}
