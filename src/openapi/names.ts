import { createHash } from 'node:crypto';

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Keeps `[A-Za-z0-9_-]`; accents are folded, every other run becomes one `_`. */
export function sanitizeName(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
}

/** `GET /pets/{petId}` → `get_pets_petId`. */
export function nameFromRoute(method: string, path: string): string {
  return sanitizeName(`${method}_${path.replace(/[{}]/g, '')}`) || method;
}

/**
 * Gemini wants a function name to start with a letter or an underscore; an operationId such as
 * `2fa_enable` gets a leading underscore (sanitizeName never leaves one, so this adds no clash).
 */
export function withLeadingLetter(name: string): string {
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/** Shortens to `max` with a hash of the full name, so two long names never collapse into one. */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  return withSuffix(name, `_${shortHash(name)}`, max);
}

/**
 * `name` cut so that `name + suffix` fits in `max`. Very small limits keep the end of the suffix
 * behind an underscore (a name never starts with a hash's digit: withLeadingLetter).
 */
function withSuffix(name: string, suffix: string, max: number): string {
  const keep = max - suffix.length;
  if (keep < 1) return `_${suffix.replace(/^_/, '').slice(1 - max)}`;
  return `${name.slice(0, keep).replace(/[_-]+$/, '')}${suffix}`;
}

/**
 * Hands out unique tool names. A clash gets a suffix from a hash of the operation's route,
 * so names do not depend on the order operations are listed in.
 */
export class NameRegistry {
  private readonly taken = new Set<string>();
  constructor(private readonly max: number) {}

  claim(requested: string, route: string): string {
    const wanted = withLeadingLetter(requested);
    let name = fitName(wanted, this.max);
    if (this.taken.has(name)) {
      const suffix = `_${shortHash(route)}`;
      name = withSuffix(wanted, suffix, this.max);
      for (let n = 2; this.taken.has(name); n++) name = withSuffix(wanted, `${suffix}_${n}`, this.max);
    }
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}
