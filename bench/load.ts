import { Pool } from 'undici';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface Target {
  origin: string;
  /** Builds request n: path, method, headers, body. */
  request(n: number): { path: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };
  /** True when the answer to request n is the right one (mixed-up answers count as errors). */
  verify(n: number, status: number, body: string): boolean;
}

/**
 * Closed-loop load: `concurrency` workers, each sending its next request as soon as the last one
 * was answered and verified, for `seconds` (or until `maxRequests`).
 */
export async function runLoad(target: Target, concurrency: number, seconds: number, maxRequests = Infinity): Promise<LoadResult> {
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && next < maxRequests) {
      const n = next++;
      const req = target.request(n);
      const t0 = performance.now();
      try {
        const res = await pool.request(req);
        const text = await res.body.text();
        if (!target.verify(n, res.statusCode, text)) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, seconds: elapsed, rps: latencies.length / elapsed, p50: pct(50), p90: pct(90), p99: pct(99) };
}
