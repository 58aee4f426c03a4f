import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Content hash for change detection (not security): sha1 is the fastest the runtime offers. */
export function hashContent(content: string | Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}

/** One value for a set of files' hashes, independent of their order. */
export function combineHashes(hashes: ReadonlyMap<string, string>): string {
  const h = createHash('sha1');
  for (const name of [...hashes.keys()].sort()) h.update(name).update('\0').update(hashes.get(name)!).update('\0');
  return h.digest('hex');
}

/** Reads `files` now and combines their hashes (a missing file counts as its own state). */
export async function fingerprintFiles(files: readonly string[]): Promise<string> {
  const entries = await Promise.all(files.map(async (f) => [f, await readFile(f).then(hashContent, () => 'missing')] as const));
  return combineHashes(new Map(entries));
}
