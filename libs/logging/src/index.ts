export { DEFAULT_LOG_FORMAT, LOG_FORMATS, type LogFormat, readLogFormat } from './lib/log-format';
export { type CreateLoggerOptions, createLogger } from './lib/create-logger';
