import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A package the build bundled into one file (dist/vendor/<name>.cjs, scripts/vendor-bundles.mjs),
 * else `fromPackages` (running from source). Same code either way; one file loads in a third of the
 * time of its dozens.
 */
export function requireVendored<T>(name: string, fromPackages: (req: NodeJS.Require) => T): T {
  try {
    return require(`../vendor/${name}.cjs`) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !(err as Error).message.includes(`vendor/${name}.cjs`)) throw err;
    return fromPackages(require);
  }
}
