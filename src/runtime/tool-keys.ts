import type { ServerConfig } from '../config/types.js';
import { AppError, type Problem } from '../errors.js';
import type { ToolSet } from '../openapi/index.js';
import { didYouMean } from '../util/suggest.js';

/**
 * Fail closed: an `auth.toolScopes` key that names no tool would leave the tool it meant without its
 * scopes, so it fails the build (serve, reload and validate alike). A key may be a tool's published
 * name or its operationId; a generated name that tools.overrides renamed is pointed at the new name.
 */
export function checkToolScopeKeys(server: ServerConfig, set: ToolSet): void {
  const keys = Object.keys(server.auth?.toolScopes ?? {});
  if (keys.length === 0) return;
  const names = new Set<string>();
  for (const t of set.tools) {
    names.add(t.name);
    if (t.operationId) names.add(t.operationId);
  }
  const problems: Problem[] = [];
  for (const key of keys) {
    if (names.has(key)) continue;
    const renamedTo = set.renamed.get(key);
    const hint = renamedTo ? ` (tools.overrides renamed it to "${renamedTo}": use that name or the operationId)` : didYouMean(key, names);
    const where = server.keyAt?.(['auth', 'toolScopes', key]) ?? { ...server.specAt, path: `auth.toolScopes.${key}` };
    problems.push({ ...where, message: `names no tool of server "${server.name}"${hint}; the tool it was meant for would be served without these scopes` });
  }
  if (problems.length > 0) throw new AppError('CONFIG_INVALID', `server "${server.name}": auth.toolScopes names unknown tools`, { problems });
}
