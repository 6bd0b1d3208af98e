import { MAX_WORD_CODE_POINTS } from './word-length';

/**
 * A word character then, greedily, word characters or a joiner that a word character follows.
 * Written differently from the production pattern on purpose (lookahead instead of repeated
 * groups) so that the two can be compared rather than copied.
 */
const REFERENCE_PATTERN = /[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}]|['’-](?=[\p{L}\p{M}\p{N}]))*/gu;

/**
 * For tests only (not exported from the package): SPEC §2 read literally, with no fast path and
 * no care for allocations, to check `words` against on random input.
 */
export function referenceWords(data: string): string[] {
  return (data.normalize('NFC').match(REFERENCE_PATTERN) ?? [])
    .map((word) => word.toLowerCase())
    .filter((word) => Array.from(word).length <= MAX_WORD_CODE_POINTS);
}
