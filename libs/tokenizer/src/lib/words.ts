import { forEachWord } from './for-each-word';

/**
 * The words of `data` per SPEC §2: NFC, runs of letters, marks and digits joined by single
 * `'`, `’` or `-`, lower-cased, at most 128 code points each. In order of appearance,
 * duplicates kept; an empty array when there are none. Never throws.
 */
export function words(data: string): string[] {
  const found: string[] = [];
  forEachWord(data, (word) => {
    found.push(word);
  });
  return found;
}
