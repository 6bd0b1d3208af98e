export {
  MALFORMED_SAMPLE_BYTES,
  MAX_LINE_BYTES,
  type Event,
  type MalformedReason,
  type ParsedLine,
} from './lib/event';
export { parseEventLine, parseEventLineAt } from './lib/parse-event-line';
export { LineSplitter, type LineSink } from './lib/line-splitter';
