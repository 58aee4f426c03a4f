const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_BYTES: Record<string, number> = {
  b: 1, kb: 1000, kib: 1024, mb: 1000 ** 2, mib: 1024 ** 2, gb: 1000 ** 3, gib: 1024 ** 3,
};

/** "30s" → 30000. Numbers are taken as milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = DURATION.exec(value.trim());
  if (!m) throw new Error(`not a duration: "${value}" (use e.g. 500ms, 30s, 5m)`);
  return Math.round(Number(m[1]) * DURATION_MS[m[2]!]!);
}

/** "10mb" → 10000000, "1MiB" → 1048576. Numbers are taken as bytes. */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = SIZE.exec(value.trim());
  if (!m) throw new Error(`not a size: "${value}" (use e.g. 512kb, 10mb, 1MiB)`);
  return Math.round(Number(m[1]) * SIZE_BYTES[(m[2] ?? 'b').toLowerCase()]!);
}
