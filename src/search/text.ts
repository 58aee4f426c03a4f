/**
 * Text → index terms: identifiers split (camelCase, `-`, `_`, `/`, `.`), lower-cased, stop words
 * dropped, and a light English stemmer so "repositories", "repository" and "repos" meet.
 */

const STOP = new Set(
  'a an the and or of to in on at by for from with without into onto as is are be been was were it its this that these those my me i we our you your their them they he she his her him can could would should will shall do does did done please want need like just some any via per using use used also than then there here when where which who whom whose what how whether if so not no yes about up out over under only own same such very way one two am have has had someone somebody something anyone anything exist exists existing currently right now'.split(
    ' ',
  ),
);

/** Splits identifiers and prose into lower-case words (no stemming). */
export function splitWords(text: string): string[] {
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return spaced.split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

/**
 * A light suffix stemmer (Porter's first steps, no dictionary): plural and verb endings, a final
 * `e`, and a doubled final consonant. Consistent rather than linguistically right: "create",
 * "created" and "creating" all become "creat".
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /^\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('xes') || w.endsWith('ches') || w.endsWith('shes')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.endsWith('ation') && w.length > 9) w = w.slice(0, -5);
  else if (w.endsWith('tion') && w.length > 6) w = w.slice(0, -3);
  else if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  if (w.length > 3 && /([bdfgklmnprt])\1$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  if (w.endsWith('y') && w.length > 3) w = `${w.slice(0, -1)}i`;
  return w;
}

export function isStopWord(word: string): boolean {
  return STOP.has(word);
}

/** Stems of words seen, shared by every index build (API vocabulary repeats across specs). */
const stems = new Map<string, string>();
const MAX_CACHED = 100_000;

/**
 * Words → stemmed terms, stop words and single letters dropped. With `agents`, a noun for who does
 * something ("reviewers", "followers") also yields the thing done ("review", "follow").
 */
export function terms(text: string, agents = false): string[] {
  const out: string[] = [];
  for (const w of splitWords(text)) {
    if (w.length < 2 || STOP.has(w)) continue;
    let s = stems.get(w);
    if (s === undefined) {
      s = stem(w);
      if (stems.size < MAX_CACHED) stems.set(w, s);
    }
    out.push(s);
    if (agents && s.length > 6 && s.endsWith('er')) out.push(s.slice(0, -2));
  }
  return out;
}
