export { Clock, SystemClock, sleep } from './time';
export { waitAtMost, withTimeout } from './timeout';
export { backoffMs, retry } from './retry';
export type { RetryOptions } from './retry';
export { FNV_OFFSET, FNV_PRIME, bucketOf, fnv1a32 } from './hash';
export { mapLimit } from './pool';
export { RateMeter } from './rate-meter';
export { CliUsageError, integerOption, listOption, numberOption, parseCommandLine, runCli } from './cli-args';
export { RepeatLimiter } from './repeat-limiter';
