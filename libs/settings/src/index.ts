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
} from './lib/readers';
export { loadConfigOrExit } from './lib/load-or-exit';
