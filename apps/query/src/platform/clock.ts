import { Injectable } from '@nestjs/common';

/** The current time; injected so windows, hours and rates can be tested with a fixed clock. */
export abstract class Clock {
  abstract now(): number;
}

@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
