export {
  createEventFields,
  type EventFields,
  MALFORMED_SAMPLE_BYTES,
  MAX_LINE_BYTES,
  type Event,
  type MalformedReason,
  type ParsedLine,
} from './lib/event';
export { parseEventFieldsAt, parseEventLine, parseEventLineAt } from './lib/parse-event-line';
export { LineSplitter, type LineSink } from './lib/line-splitter';
