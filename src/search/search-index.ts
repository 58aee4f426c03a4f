import type { SearchEntry } from './entry.js';
import { defaultLexicon, type Intent, type Lexicon } from './lexicon.js';
import { isStopWord, splitWords, stem, terms } from './text.js';

/** A compact search result: enough to choose a tool, never its schema. */
export interface SearchHit {
  name: string;
  summary: string;
  method: string;
  path: string;
  required: string[];
  score: number;
}

export interface SearchOptions {
  limit?: number;
  /** Only tools this returns true for are ranked (the caller's scopes). */
  visible?: (name: string) => boolean;
}

export interface SearchIndex {
  readonly size: number;
  search(query: string, opts?: SearchOptions): SearchHit[];
  /** Why a tool scored as it did for a query: each concept's best term and points (for tuning and tests). */
  explain(query: string, name: string): { concepts: string[]; points: number[]; factor: number };
  entry(name: string): SearchEntry | undefined;
}

type Field = 'name' | 'path' | 'resource' | 'summary' | 'tags' | 'tagText' | 'description' | 'params' | 'aliases';

/** Field weights (BM25F): where a word appears says how much it is about the operation. */
const WEIGHTS: Record<Field, number> = {
  name: 2.5,
  summary: 3,
  resource: 2,
  path: 1.5,
  tags: 1.5,
  aliases: 2,
  params: 0.6,
  description: 0.8,
  tagText: 0.3,
};
const FIELDS = Object.keys(WEIGHTS) as Field[];
const K1 = 1.2;
const B = 0.75;
/** A word pulled in from the lexicon counts this much of one the user wrote. */
const RELATED_WEIGHT = 0.5;
/** …and this much when the user's own word is one the spec hardly uses (vocabulary mismatch). */
const RARE_RELATED_WEIGHT = 0.9;
const SELF_WEIGHT = 0.4;
/** A verb that is not the sentence's main verb counts this much. */
const SECONDARY_VERB_WEIGHT = 0.3;
/** Fields where a repeated word is an artefact of the naming, not emphasis: presence counts. */
const PRESENCE: ReadonlySet<Field> = new Set(['name', 'path', 'resource', 'tags', 'summary', 'aliases']);

interface Posting {
  docs: Int32Array;
  /** Field-weighted, length-normalised term frequency per doc (BM25F's pseudo-frequency). */
  tfs: Float32Array;
  /** 1 where the term is in the doc's name, summary or resource: what the operation is about. */
  primary: Uint8Array;
  idf: number;
}

/**
 * The least a word counts when the operation is about it (in its name, summary or resource), however
 * common the word is in the spec: in Jira's spec nearly every operation mentions "issue", yet
 * createIssue is the one about issues.
 */
const PRIMARY_IDF = 1.5;
const PRIMARY_FIELDS: ReadonlySet<Field> = new Set(['name', 'summary', 'resource']);

interface DocInfo {
  entry: SearchEntry;
  method: string;
  /** Ends with a literal segment (a collection) rather than a `{param}` (one item). */
  collection: boolean;
  /** Its name or path says it searches. */
  searchable: boolean;
}

/**
 * Builds the ranking index once per snapshot. Each operation's text is split into fields; a
 * word's weight in a document is BM25F over those fields, descriptions damped so a word repeated
 * twenty times counts little more than once. Queries are stemmed, expanded through the lexicon
 * (and the spec's own aliases), scored, then nudged by verb intent: "remove" prefers DELETE,
 * "add" POST, "list" and plural nouns a collection GET.
 */
export function buildSearchIndex(entries: readonly SearchEntry[], lexicon: Lexicon = defaultLexicon()): SearchIndex {
  const paths = new Set(entries.map((e) => e.path));
  const posted = new Set(entries.filter((e) => e.method.toUpperCase() === 'POST').map((e) => e.path));
  const parents = new Set<string>();
  for (const p of paths) {
    const m = /^(.*)\/\{[^}]+\}\/?$/.exec(p);
    if (m) parents.add(m[1]!);
  }
  const docs: DocInfo[] = entries.map((entry) => ({
    entry,
    method: entry.method.toUpperCase(),
    collection: isCollection(entry.path, parents, posted),
    searchable: /search|query|find/i.test(`${entry.name} ${entry.path}`),
  }));
  const fieldTerms = docs.map((d) => fieldsOf(d.entry));
  const avg = {} as Record<Field, number>;
  for (const f of FIELDS) avg[f] = Math.max(1, fieldTerms.reduce((n, ft) => n + ft[f].length, 0) / Math.max(1, docs.length));

  const acc = new Map<string, Map<number, number>>();
  const primary = new Map<string, Set<number>>();
  fieldTerms.forEach((ft, i) => {
    for (const f of FIELDS) {
      const words = ft[f];
      if (words.length === 0) continue;
      const counts = new Map<string, number>();
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      const norm = 1 - B + (B * words.length) / avg[f];
      for (const [w, c] of counts) {
        const tf = PRESENCE.has(f) ? 1 : f === 'description' || f === 'tagText' ? 1 + Math.log(c) : c;
        let m = acc.get(w);
        if (!m) acc.set(w, (m = new Map()));
        m.set(i, (m.get(i) ?? 0) + (WEIGHTS[f] * tf) / norm);
        if (PRIMARY_FIELDS.has(f)) {
          let p = primary.get(w);
          if (!p) primary.set(w, (p = new Set()));
          p.add(i);
        }
      }
    }
  });
  const n = docs.length;
  const postings = new Map<string, Posting>();
  for (const [w, m] of acc) {
    const df = m.size;
    const prim = primary.get(w);
    postings.set(w, {
      docs: Int32Array.from(m.keys()),
      tfs: Float32Array.from(m.values()),
      primary: Uint8Array.from([...m.keys()].map((d) => (prim?.has(d) ? 1 : 0))),
      idf: Math.log(1 + (n - df + 0.5) / (df + 0.5)),
    });
  }
  const byName = new Map(entries.map((e) => [e.name, e]));

  return {
    size: n,
    entry: (name) => byName.get(name),
    explain(query, name) {
      const d = docs.findIndex((x) => x.entry.name === name);
      const q = parseQuery(query, lexicon, (t) => postings.get(t)?.docs.length ?? 0);
      const points = q.concepts.map((concept) => {
        let best = 0;
        for (const [term, weight] of concept.terms) {
          const p = postings.get(term);
          const k = p ? p.docs.indexOf(d) : -1;
          if (p && k >= 0) best = Math.max(best, weight * (concept.idf ?? (p.primary[k] ? Math.max(p.idf, PRIMARY_IDF) : p.idf)) * ((p.tfs[k]! * (K1 + 1)) / (p.tfs[k]! + K1)));
        }
        return Math.round(best * 100) / 100;
      });
      return { concepts: q.concepts.map((c) => [...c.terms.keys()].join('|')), points, factor: d >= 0 ? intentFactor(q.intents, q.plural, docs[d]!) : 0 };
    },
    search(query, opts = {}) {
      const limit = Math.max(1, Math.min(opts.limit ?? 10, 50));
      const q = parseQuery(query, lexicon, (t) => postings.get(t)?.docs.length ?? 0);
      if (q.concepts.length === 0) return [];
      const scores = new Float64Array(n);
      const matched = new Uint8Array(n);
      q.concepts.forEach((concept) => {
        // A concept's score in a doc is its best-matching form: the word itself, else a relative.
        const best = new Map<number, number>();
        for (const [term, weight] of concept.terms) {
          const p = postings.get(term);
          if (!p) continue;
          const idf = concept.idf ?? p.idf;
          const floor = concept.idf ?? Math.max(p.idf, PRIMARY_IDF);
          for (let k = 0; k < p.docs.length; k++) {
            const tf = p.tfs[k]!;
            const s = weight * (p.primary[k] ? floor : idf) * ((tf * (K1 + 1)) / (tf + K1));
            const d = p.docs[k]!;
            if (s > (best.get(d) ?? 0)) best.set(d, s);
          }
        }
        for (const [d, s] of best) {
          scores[d]! += s;
          if (!concept.optional) matched[d] = matched[d]! + 1;
        }
      });
      const hits: { d: number; score: number }[] = [];
      const total = Math.max(1, q.concepts.filter((c) => !c.optional).length);
      for (let d = 0; d < n; d++) {
        if (scores[d] === 0) continue;
        const doc = docs[d]!;
        if (opts.visible && !opts.visible(doc.entry.name)) continue;
        let s = scores[d]! * (0.5 + (0.5 * Math.min(matched[d]!, total)) / total);
        s *= intentFactor(q.intents, q.plural, doc);
        hits.push({ d, score: s });
      }
      hits.sort((a, b) => b.score - a.score || docs[a.d]!.entry.name.localeCompare(docs[b.d]!.entry.name));
      return hits.slice(0, limit).map(({ d, score }) => {
        const e = docs[d]!.entry;
        return { name: e.name, summary: e.summary, method: e.method, path: e.path, required: e.required, score: Math.round(score * 100) / 100 };
      });
    },
  };
}

/**
 * A collection path ends with a literal segment that has items under it (`/pods` beside
 * `/pods/{name}`), is created into (POST on the same path), or reads as a plural noun; a
 * sub-resource such as `/pods/{name}/log` or `/deployments/{name}/scale` is not one.
 */
function isCollection(path: string, parents: Set<string>, posted: Set<string>): boolean {
  const trimmed = path.replace(/\/$/, '');
  const last = trimmed.split('/').at(-1) ?? '';
  if (last === '' || last.startsWith('{')) return false;
  return parents.has(trimmed) || posted.has(path) || /[a-z]s$/i.test(last);
}

function fieldsOf(e: SearchEntry): Record<Field, string[]> {
  const literal = e.path.split('/').filter((s) => s !== '' && !s.startsWith('{'));
  return {
    name: terms(e.name, true),
    path: terms(literal.join(' '), true),
    resource: terms(literal.at(-1) ?? '', true),
    summary: terms(e.summary, true),
    tags: terms(e.tags.join(' ')),
    tagText: terms(e.tagText),
    description: terms(e.description),
    params: terms(e.params.join(' ')),
    aliases: terms(e.aliases.join(' ')),
  };
}

interface Concept {
  terms: Map<string, number>;
  /** The verb's concept scores the same whichever form matched: its rarity says nothing. */
  idf?: number;
  /** A bonus when matched; not missing when not (the caller's own endpoints, joined compounds). */
  optional?: boolean;
}

/** A verb's weight does not depend on how rare its form is in the spec (the intent is what counts). */
const VERB_IDF = 1;

interface ParsedQuery {
  /** One entry per query concept: its stemmed forms and their weights. */
  concepts: Concept[];
  intents: Set<Intent>;
  /** The query names a plural noun ("pods", "tickets"). */
  plural: boolean;
}

/** How many occurrences make a word "the API's own": below this its lexicon relatives weigh more. */
const RARE_DF = 3;

/**
 * Query text → concepts. Two-word phrases and abbreviations are rewritten first ("money back",
 * "PR"); words for the caller ("my", "me") become one concept for the caller's own endpoints; the
 * verb (the first intent word among the first two content words: imperatives lead with it) sets
 * the intent and is expanded through verb synonyms only, so "file a bug" is not about files; two
 * adjacent words that the spec writes as one ("work log" → worklog) count as one more concept.
 */
export function parseQuery(query: string, lexicon: Lexicon, df: (term: string) => number = () => RARE_DF): ParsedQuery {
  const intents = new Set<Intent>();
  const concepts: Concept[] = [];
  const raw = splitWords(query);
  const words: string[] = [];
  let self = false;
  for (let i = 0; i < raw.length; i++) {
    const pair = i + 1 < raw.length ? lexicon.phrases.get(`${raw[i]} ${raw[i + 1]}`) : undefined;
    if (pair) {
      words.push(...pair);
      i++;
      continue;
    }
    if (lexicon.self.words.has(raw[i]!)) self = true;
    words.push(...(lexicon.phrases.get(raw[i]!) ?? [raw[i]!]));
  }
  const content = words.filter((w) => w.length >= 2 && !isStopWord(w));
  let plural = false;
  let verbAt = -1;
  for (let i = 0; i < Math.min(2, content.length); i++) {
    const s = stem(content[i]!);
    const found = lexicon.intents.get(s);
    if (found || lexicon.relatedVerbs.has(s)) {
      for (const intent of found ?? []) intents.add(intent);
      verbAt = i;
      break;
    }
  }
  const covered = new Set<string>();
  content.forEach((word, i) => {
    const s = stem(word);
    if (covered.has(s)) return;
    const isVerb = lexicon.intents.has(s) || lexicon.relatedVerbs.has(s);
    // A second word for the verb's own intent ("file a new bug") adds nothing; another verb later
    // in the sentence ("follow a ticket to get updates") is about the goal, not the operation.
    if (i !== verbAt && verbAt >= 0 && (lexicon.intents.get(s) ?? []).some((x) => intents.has(x))) return;
    const scale = i !== verbAt && isVerb ? SECONDARY_VERB_WEIGHT : 1;
    if (s !== word && word.endsWith('s') && !lexicon.intents.has(s)) plural = true;
    const verb = i === verbAt;
    // A verb used in a secondary sense ("file a bug", "open a ticket") counts less as a word and
    // more as its intent's usual verbs.
    const concept = new Map<string, number>([[s, (verb && !lexicon.relatedVerbs.has(s) ? 0.5 : 1) * scale]]);
    if (verb) for (const intent of intents) for (const c of lexicon.canonical[intent]) if (!concept.has(c)) concept.set(c, 1);
    const rel = (verb ? lexicon.relatedVerbs : lexicon.related).get(s);
    const weight = (verb && intents.size > 0 ? 1 : df(s) < RARE_DF ? RARE_RELATED_WEIGHT : RELATED_WEIGHT) * scale;
    for (const r of rel ?? []) if (!concept.has(r)) concept.set(r, weight);
    for (const t of concept.keys()) covered.add(t);
    concepts.push(verb ? { terms: concept, idf: VERB_IDF } : { terms: concept });
  });
  // Nearby words the spec writes as one ("work log" → worklog, "log work" → worklog).
  for (let i = 0; i < content.length; i++) {
    for (let j = i + 1; j < Math.min(content.length, i + 4); j++) {
      for (const joined of [stem(content[i]! + content[j]!), stem(content[j]! + content[i]!)]) {
        if (!covered.has(joined) && df(joined) > 0) {
          covered.add(joined);
          concepts.push({ terms: new Map([[joined, 1]]), optional: true });
        }
      }
    }
  }
  if (self) concepts.push({ terms: new Map(lexicon.self.terms.map((t) => [t, SELF_WEIGHT])), optional: true });
  return { concepts, intents, plural };
}

/** The verb a user wrote says which method they mean; a plural noun without a verb, a listing. */
function intentFactor(intents: Set<Intent>, plural: boolean, doc: DocInfo): number {
  const m = doc.method;
  const mutating = intents.has('create') || intents.has('delete') || intents.has('update') || intents.has('cancel');
  const listing = intents.has('list') || (plural && !mutating && !intents.has('search'));
  let f = 1;
  if (intents.has('create') && m === 'POST') f = Math.max(f, doc.collection ? 1.35 : 1.15);
  if (intents.has('delete') && m === 'DELETE') f = Math.max(f, 1.35);
  if (intents.has('update') && (m === 'PATCH' || m === 'PUT')) f = Math.max(f, 1.3);
  if (intents.has('update') && m === 'POST' && !doc.collection) f = Math.max(f, 1.1);
  if (intents.has('cancel') && (m === 'DELETE' || m === 'POST')) f = Math.max(f, 1.2);
  if (listing && m === 'GET' && doc.collection) f = Math.max(f, 1.3);
  else if (intents.has('read') && m === 'GET') f = Math.max(f, doc.collection ? 1.1 : 1.25);
  if (intents.has('search') && m === 'GET') f = Math.max(f, doc.searchable ? 1.3 : 1.1);
  if (mutating && m === 'GET') f *= 0.85;
  return f;
}
