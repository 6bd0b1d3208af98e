import { redisFailureReason as storeFailureReason } from '@tally/aggregation';
import { ReplyError } from 'ioredis';
import { DeadlineExceededError } from './deadline-exceeded-error';
import { redisFailureReason } from './redis-failure';

// The table of ioredis errors is tested once, beside the mapping: libs/aggregation's
// redis-failure.spec.ts. Here only what the api adds to it.
describe('redisFailureReason (api)', () => {
  it('names a missed read deadline as Redis being unavailable', () => {
    expect(redisFailureReason(new DeadlineExceededError(1500))).toBe('no answer within 1500 ms');
    expect(storeFailureReason(new DeadlineExceededError(1500))).toBeUndefined();
  });

  it('answers everything else exactly as the one mapping in @tally/aggregation', () => {
    const samples: unknown[] = [
      new Error('Command timed out'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      new ReplyError('BUSY Redis is busy running a script.'),
      new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new TypeError('x'),
      'Connection is closed.',
      undefined,
    ];
    for (const error of samples) expect(redisFailureReason(error)).toBe(storeFailureReason(error));
  });
});
