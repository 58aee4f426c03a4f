import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../util/clock.js';

export interface FileWatcher {
  /** Watches a new set of files (after a reload changed which specs are used). */
  update(files: readonly string[]): void;
  close(): void;
}

/**
 * Watches the folders that hold `files`, not the files themselves: editors replace files by
 * renaming, and Kubernetes swaps a ConfigMap by re-pointing the `..data` symlink, and both keep
 * the folder. Any event for a watched name or a `..` entry calls `onChange`; callers debounce and
 * compare contents. A folder that disappears is watched again once it is back.
 */
export function createFileWatcher(
  files: readonly string[],
  onChange: (file: string) => void,
  onError: (err: Error) => void = () => {},
  clock: Clock = systemClock,
): FileWatcher {
  const watchers = new Map<string, FSWatcher>();
  let names = new Map<string, Set<string>>();
  let closed = false;
  const retry = new Set<string>();
  const timer = clock.setInterval(() => {
    for (const dir of [...retry]) {
      retry.delete(dir);
      open(dir);
      // Files may have been written into the folder before its watch opened: report it once.
      if (watchers.has(dir)) onChange(dir);
    }
  }, 1000);
  timer.unref();

  const open = (dir: string) => {
    if (closed || watchers.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        const name = filename?.toString();
        if (!name || name.startsWith('..') || names.get(dir)?.has(name)) onChange(name ? path.join(dir, name) : dir);
      });
      w.on('error', (err) => {
        w.close();
        watchers.delete(dir);
        onError(err);
        retry.add(dir);
      });
      watchers.set(dir, w);
    } catch (err) {
      onError(err as Error);
      retry.add(dir);
    }
  };

  const update = (list: readonly string[]) => {
    names = new Map();
    for (const f of list) {
      const dir = path.dirname(f);
      if (!names.has(dir)) names.set(dir, new Set());
      names.get(dir)!.add(path.basename(f));
    }
    for (const [dir, w] of watchers) {
      if (!names.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const dir of names.keys()) open(dir);
  };

  update(files);
  return {
    update,
    close() {
      closed = true;
      clock.clearInterval(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
