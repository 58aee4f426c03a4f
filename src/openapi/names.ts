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

/** Shortens to `max` with a hash of the full name, so two long names never collapse into one. */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  return `${name.slice(0, max - 9).replace(/[_-]+$/, '')}_${shortHash(name)}`;
}

/**
 * Hands out unique tool names. A clash gets a suffix from a hash of the operation's route,
 * so names do not depend on the order operations are listed in.
 */
export class NameRegistry {
  private readonly taken = new Set<string>();
  constructor(private readonly max: number) {}

  claim(wanted: string, route: string): string {
    let name = fitName(wanted, this.max);
    if (this.taken.has(name)) {
      const suffix = `_${shortHash(route)}`;
      name = `${wanted.slice(0, this.max - suffix.length)}${suffix}`;
      for (let n = 2; this.taken.has(name); n++) name = `${wanted.slice(0, this.max - suffix.length - 3)}${suffix}_${n}`;
    }
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}
