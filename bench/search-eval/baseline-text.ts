export { splitWords } from '../../src/search/text.js';
import { isStopWord } from '../../src/search/text.js';

/** The baseline drops the same stop words as the search (so the comparison is about ranking). */
export function isStopWordForBaseline(w: string): boolean {
  return w.length < 2 || isStopWord(w);
}
