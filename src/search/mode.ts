import type { ToolsMode } from '../config/types.js';

export interface ToolsModeChoice {
  mode: 'flat' | 'search';
  /** Why, in words for `validate` and the logs. */
  reason: string;
}

/** About 4 bytes of JSON per token: close enough to compare tool sets. */
export function estimateTokens(bytes: number): number {
  return Math.ceil(bytes / 4);
}

const META_TOOLS = 3;

/** tools.mode (and tools.budget for auto) → the mode a server runs in, and why. */
export function resolveToolsMode(mode: ToolsMode, budget: number, flatBytes: number, tools: number): ToolsModeChoice {
  const tokens = estimateTokens(flatBytes);
  const size = `the flat tools/list is ≈${tokens.toLocaleString('en-US')} tokens for ${tools} tools`;
  if (mode === 'flat') return { mode: 'flat', reason: `tools.mode is flat (${size})` };
  if (mode === 'search') return { mode: 'search', reason: `tools.mode is search (${size})` };
  // Three meta-tools stand in for the list: for as few tools, search saves nothing (describe_tools would
  // return the same schemas), however large they are.
  if (tokens > budget && tools <= META_TOOLS) {
    return { mode: 'flat', reason: `tools.mode auto: ${size}, over tools.budget ${budget.toLocaleString('en-US')}, but search mode would not list fewer tools` };
  }
  return tokens > budget
    ? { mode: 'search', reason: `tools.mode auto: ${size}, over tools.budget ${budget.toLocaleString('en-US')}` }
    : { mode: 'flat', reason: `tools.mode auto: ${size}, within tools.budget ${budget.toLocaleString('en-US')}` };
}
