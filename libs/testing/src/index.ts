export { eventually, GiveUp, type EventuallyOptions } from './lib/eventually';
export { describeIf, inCi } from './lib/describe-if';
