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
export { loadConfigOrExit } from './lib/load-or-exit';
export { redactUserInfo } from './lib/redact';
