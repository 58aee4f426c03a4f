/** Tuning aid (dev split only): `node --import tsx bench/search-eval/explain.ts <spec> "<query>" [tool …]`. */
import { buildSearchEntry, buildSearchIndex } from '../../src/search/index.js';
import { loadToolSet } from './specs.js';

const [spec, query, ...names] = process.argv.slice(2);
const set = await loadToolSet(spec!);
const index = buildSearchIndex(set.tools.map((t) => buildSearchEntry(t, set.tagDescriptions)));
const byOp = new Map(set.tools.map((t) => [t.operationId ?? t.name, t.name]));
const top = index.search(query!, { limit: 5 }).map((h) => h.name);
for (const n of [...top, ...names.map((x) => byOp.get(x) ?? x)]) {
  const e = index.explain(query!, n);
  console.log(n.padEnd(50), e.factor, e.points.join(' '), e.points.reduce((a, b) => a + b, 0).toFixed(2));
}
console.log(index.explain(query!, top[0]!).concepts.join('  ||  '));
