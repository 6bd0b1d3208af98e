// Test and benchmark helpers of @tally/event-schema: not for production code, which uses
// `parseEventLine` from the package's index.
export { referenceParseEventLine } from './lib/reference-parse';
