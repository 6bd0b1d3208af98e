import { x } from '@tally/tokenizer';
console.log('hello', x);
