import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** sha256 over the names and contents of `files` (a missing file counts as its own state). */
export async function fingerprintFiles(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const contents = await Promise.all([...files].sort().map(async (f) => [f, await readFile(f).catch(() => undefined)] as const));
  for (const [name, content] of contents) {
    hash.update(name).update('\0');
    hash.update(content ?? '\u0000missing').update('\0');
  }
  return hash.digest('hex');
}
