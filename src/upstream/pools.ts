import type { Pool as PoolT } from 'undici';
import { Pool } from '../util/undici.js';

export interface PoolOptions {
  connections: number;
  connectTimeoutMs: number;
}

interface Entry {
  pool: PoolT;
  refs: number;
}

/**
 * One undici Pool per upstream origin and options, shared by every snapshot that uses it,
 * so a reload keeps warm keep-alive connections. Snapshots acquire on build, release on retire.
 */
export class PoolRegistry {
  private readonly entries = new Map<string, Entry>();

  acquire(origin: string, opts: PoolOptions): PoolT {
    const key = `${origin}|${opts.connections}|${opts.connectTimeoutMs}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const pool = new Pool(origin, {
        connections: opts.connections,
        connectTimeout: opts.connectTimeoutMs,
        keepAliveTimeout: 10_000,
        pipelining: 1,
      });
      entry = { pool, refs: 0 };
      this.entries.set(key, entry);
    }
    entry.refs++;
    return entry.pool;
  }

  release(pool: PoolT): void {
    for (const [key, entry] of this.entries) {
      if (entry.pool !== pool) continue;
      if (--entry.refs === 0) {
        this.entries.delete(key);
        void entry.pool.close().catch(() => entry.pool.destroy());
      }
      return;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  async closeAll(): Promise<void> {
    const pools = [...this.entries.values()].map((e) => e.pool);
    this.entries.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}
