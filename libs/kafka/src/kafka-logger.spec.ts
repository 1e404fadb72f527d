import { logLevel } from 'kafkajs';
import { levelOf } from './kafka-logger';

describe('levelOf (kafkajs log lines)', () => {
  it('turns a retriable error response into a warning', () => {
    const loading = "The coordinator is loading and hence can't process requests for this group";
    expect(levelOf(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', loading)).toBe(logLevel.WARN);
    expect(
      levelOf(
        logLevel.ERROR,
        'Response DescribeGroups(key: 15, version: 2)',
        'This is not the correct coordinator for this group',
      ),
    ).toBe(logLevel.WARN);
  });

  it('turns a failed topic creation into a warning: ensureTopics settles it', () => {
    expect(levelOf(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'Topic creation errors')).toBe(
      logLevel.WARN,
    );
  });

  it('keeps a non-retriable error response an error', () => {
    const auth = 'Not authorized to access group: Group authorization failed';
    expect(levelOf(logLevel.ERROR, 'Response JoinGroup(key: 11, version: 5)', auth)).toBe(logLevel.ERROR);
    expect(levelOf(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', 'something new')).toBe(logLevel.ERROR);
  });

  it('leaves other lines as kafkajs logged them', () => {
    expect(
      levelOf(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', 'The group coordinator is not available'),
    ).toBe(logLevel.ERROR);
    expect(levelOf(logLevel.INFO, 'Starting', undefined)).toBe(logLevel.INFO);
  });
});
