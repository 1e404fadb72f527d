import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/**
 * What makes this query instance's Kafka group ids its own: every instance must see every stats
 * message (to drop its cache entries and push to its own sockets), so no two instances may share a group.
 */
export abstract class InstanceId {
  abstract readonly value: string;
}

@Injectable()
export class RandomInstanceId extends InstanceId {
  readonly value = randomBytes(6).toString('hex');
}
