import { isPair, isScalar, isSeq, parse as parseYamlValue, visit, type Document } from '../util/yaml.js';

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface EnvProblemSite {
  range: [number, number, number] | null | undefined;
  /** Key path of the scalar, e.g. `['servers', 0, 'spec']`. */
  path: (string | number)[];
  message: string;
}

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string scalar of the document, in place.
 * Works on parsed scalars, not raw text, so a value can never inject YAML structure.
 * A plain scalar that is exactly one `${…}` is re-read as YAML, so `port: ${PORT:-8080}` is a number.
 * `$${` escapes a literal `${`.
 */
export function expandEnvInDocument(doc: Document, env: NodeJS.ProcessEnv): EnvProblemSite[] {
  const problems: EnvProblemSite[] = [];
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const raw = node.value;
      const missing: string[] = [];
      const expanded = raw.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string, def?: string) => {
        if (match.startsWith('$$')) return match.slice(1);
        const value = env[name];
        if (value !== undefined && value !== '') return value;
        if (def !== undefined) return def;
        missing.push(name);
        return match;
      });
      if (missing.length > 0) {
        problems.push({
          range: node.range,
          path: keyPath([...ancestors, node]),
          message: `environment variable ${missing.map((m) => `\${${m}}`).join(', ')} is not set (set it, or give a default with \${${missing[0]}:-value})`,
        });
        return;
      }
      const whole = node.type === 'PLAIN' && new RegExp(`^${VAR.source}$`).test(raw);
      node.value = whole ? coerce(expanded) : expanded;
    },
  });
  return problems;
}

/** Document → … → scalar, as keys and indexes (a scalar used as a key has no path of its own). */
function keyPath(chain: readonly unknown[]): (string | number)[] {
  const out: (string | number)[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isSeq(parent)) out.push(parent.items.indexOf(child as never));
    else if (isPair(parent) && child === parent.value) out.push(isScalar(parent.key) ? String(parent.key.value) : String(parent.key));
  }
  return out;
}

function coerce(text: string): unknown {
  try {
    const v: unknown = parseYamlValue(text);
    return typeof v === 'number' || typeof v === 'boolean' ? v : text;
  } catch {
    return text;
  }
}
