import { keyLayout } from '@tally/aggregation';
import { defaultWriterId } from '@tally/settings';
import type { ProducerConfig } from '../../config';
import type { ChosenOutput, Output, OutputDeps } from '../output';
import { takeProducerLease } from './producer-lease';
import { createProducerRedis, StreamSink } from './stream-sink';

/** The settings the stream output goes by. */
export type StreamOutputSettings = Pick<
  ProducerConfig,
  | 'transport'
  | 'redisUrl'
  | 'keyPrefix'
  | 'producerId'
  | 'idLeaseMs'
  | 'streamEntryLines'
  | 'streamMaxLength'
>;

/** TRANSPORT=redis-stream: appends the lines to `<KEY_PREFIX>:stream` (StreamSink). */
export function chooseStreamOutput(settings: StreamOutputSettings, deps: OutputDeps): ChosenOutput {
  return {
    target: { transport: settings.transport, keyPrefix: settings.keyPrefix },
    open: () => openStreamOutput(settings, deps),
  };
}

/**
 * The stream output, once this process holds the lease on its PRODUCER_ID (unset: a fresh id
 * per start). The Redis client is closed, and the lease given back, by the lifecycle's clean-up.
 */
async function openStreamOutput(settings: StreamOutputSettings, deps: OutputDeps): Promise<Output> {
  const { logger, life } = deps;
  const producerId = settings.producerId ?? defaultWriterId();
  const keys = keyLayout(settings.keyPrefix);
  const redis = createProducerRedis(settings.redisUrl);
  redis.on('error', () => undefined); // each wait is logged once by the lease or the sink
  life.defer(() =>
    redis.quit().then(
      () => undefined,
      () => redis.disconnect(),
    ),
  );
  const lease = await takeProducerLease(redis, keys, producerId, settings.idLeaseMs, deps);
  logger.info(
    {
      producerId,
      continuesAtSeq: lease.lastSeq + 1,
      stream: keys.stream,
      maxLength: settings.streamMaxLength,
    },
    'stream',
  );
  return new StreamSink(redis, keys, {
    producerId,
    lease,
    entryLines: settings.streamEntryLines,
    maxLength: settings.streamMaxLength,
    onWait: (reason, detail) =>
      logger.info({ reason, detail }, 'waiting: the stream is full or Redis is away'),
  });
}
