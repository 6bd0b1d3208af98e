export { eventually, GiveUp, type EventuallyOptions } from './lib/eventually';
export { describeIf, inCi } from './lib/describe-if';
export { type Exchange, OpenApiContract } from './lib/openapi-contract';
export {
  checkAnswer,
  checkedAnswers,
  installContractCheck,
  watchOrigin,
} from './lib/fetch-contract';
