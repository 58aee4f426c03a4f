import { isStopWordForBaseline, splitWords } from './baseline-text.js';

/**
 * The plain baseline: BM25 (k1 1.2, b 0.75) over one field holding the same text the search
 * indexes (name, path, summary, description, tags, tag descriptions, argument names), split the
 * same way, without stemming, field weights, synonyms or intent.
 */
export function createBm25(docs: { name: string; text: string }[]): (query: string, limit: number) => string[] {
  const k1 = 1.2;
  const b = 0.75;
  const toks = docs.map((d) => splitWords(d.text).filter((w) => !isStopWordForBaseline(w)));
  const avg = toks.reduce((n, t) => n + t.length, 0) / docs.length;
  const tfs = toks.map((t) => {
    const m = new Map<string, number>();
    for (const w of t) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  });
  const df = new Map<string, number>();
  for (const m of tfs) for (const w of m.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const n = docs.length;
  return (query, limit) => {
    const q = [...new Set(splitWords(query).filter((w) => !isStopWordForBaseline(w)))];
    const scored: { i: number; s: number }[] = [];
    tfs.forEach((m, i) => {
      let s = 0;
      for (const w of q) {
        const tf = m.get(w);
        if (!tf) continue;
        const idf = Math.log(1 + (n - df.get(w)! + 0.5) / (df.get(w)! + 0.5));
        s += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * toks[i]!.length) / avg));
      }
      if (s > 0) scored.push({ i, s });
    });
    scored.sort((x, y) => y.s - x.s);
    return scored.slice(0, limit).map((x) => docs[x.i]!.name);
  };
}
