export { buildSearchEntry, type SearchEntry } from './entry.js';
export { buildSearchIndex, type SearchHit, type SearchIndex, type SearchOptions } from './search-index.js';
export { buildLexicon, defaultLexicon, type Intent, type Lexicon } from './lexicon.js';
export { isStopWord, splitWords, stem, terms } from './text.js';
export { formatHits } from './format.js';
export { buildMetaDefinitions, isMetaTool, pickMetaNames, DESCRIBE_MAX, SEARCH_LIMIT, type MetaNames } from './meta.js';
export { estimateTokens, resolveToolsMode, type ToolsModeChoice } from './mode.js';
