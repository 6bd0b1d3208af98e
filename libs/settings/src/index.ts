export { SettingError } from './lib/setting-error';
export {
  type Env,
  readString,
  readInteger,
  readDecimal,
  readPort,
  readRedisUrl,
  readKeyPrefix,
  readPath,
  readHost,
  readChoice,
  readWindowRetention,
  readIdLease,
  MAX_WINDOW_RETENTION_S,
} from './lib/readers';
export {
  SHARED_DEFAULTS,
  type RedisSettings,
  readRedisSettings,
  readFifoPath,
  TRANSPORTS,
  type Transport,
  readTransport,
  type WriterIdSetting,
  readWriterId,
  defaultWriterId,
  readWriterLease,
} from './lib/shared';
export { loadConfigOrExit } from './lib/load-or-exit';
export { redactUserInfo } from './lib/redact';
