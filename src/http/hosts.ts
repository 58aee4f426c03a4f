/**
 * Host header check against DNS rebinding: a page on evil.example that re-points its name at
 * 127.0.0.1 still sends `Host: evil.example`, so a loopback sidecar refuses it.
 * Patterns: `example.com` (any port), `example.com:8080`, `*.example.com`.
 */
export function compileHostMatcher(patterns: readonly string[] | undefined): (host: string | undefined) => boolean {
  if (!patterns) return () => true;
  const exact = new Set(patterns.filter((p) => !p.startsWith('*.')));
  const suffixes = patterns.filter((p) => p.startsWith('*.')).map((p) => p.slice(1));
  const match = (host: string): boolean => {
    const h = host.toLowerCase();
    if (exact.has(h)) return true;
    const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d+$/, '');
    return exact.has(name) || suffixes.some((s) => name.endsWith(s) && name.length > s.length);
  };
  // Every request asks about the same few Host values; the cache is bounded as the header is the client's.
  const seen = new Map<string, boolean>();
  return (host) => {
    if (!host) return false;
    let ok = seen.get(host);
    if (ok === undefined) {
      ok = match(host);
      if (seen.size >= 64) seen.clear();
      seen.set(host, ok);
    }
    return ok;
  };
}
