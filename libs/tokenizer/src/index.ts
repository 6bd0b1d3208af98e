export { MAX_WORD_CODE_POINTS } from './lib/word-length';
export { words } from './lib/words';
export { forEachWord } from './lib/for-each-word';
export { forEachWordInUtf8 } from './lib/for-each-word-in-utf8';
