export {
  type GuardedErrorContext,
  type GuardedListener,
  type GuardedServerOptions,
  type ServerLimits,
  clientErrorAnswer,
  createGuardedServer,
  listenOn,
} from './lib/guarded-server';
export { JSON_CONTENT_TYPE, answerJsonError, errorBody, rawJsonError } from './lib/json-answers';
export { originForm } from './lib/request-target';
