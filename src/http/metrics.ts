import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import type { CallOutcomeCode } from '../errors.js';

/**
 * Prometheus metrics. The sidecar's own series are plain numbers in Maps, written out in the text
 * exposition format when scraped; prom-client loads at the first scrape and adds the process and
 * runtime series (CPU, memory, event loop lag, GC). Measured why: prom-client hashes the label
 * object on every increment, a few µs on each tool call, and costs ~25 ms of start-up.
 */
export class Metrics {
  private readonly requests = new CounterFamily('mcp_sidecar_http_requests_total', 'HTTP requests by server, MCP method and status.', ['server', 'method', 'status']);
  private readonly toolCalls = new CounterFamily('mcp_sidecar_tool_calls_total', 'Tool calls by server, tool and outcome.', ['server', 'tool', 'outcome']);
  private readonly upstreamLatency = new HistogramFamily(
    'mcp_sidecar_upstream_duration_seconds',
    'Upstream request duration, from send to full body, by server and outcome.',
    ['server', 'outcome'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  private readonly authFailures = new CounterFamily('mcp_sidecar_auth_failures_total', 'Rejected requests by server and reason.', ['server', 'reason']);
  private readonly jwksFailures = new CounterFamily('mcp_sidecar_jwks_fetch_failures_total', 'Failed fetches of an issuer JWKS (each starts a 30 s cooldown in which tokens that need the keys get 503).', []);
  private readonly reloads = new CounterFamily('mcp_sidecar_config_reloads_total', 'Config reloads by result (success, failure, unchanged).', ['result']);
  private readonly generation = new GaugeFamily('mcp_sidecar_config_generation', 'Generation of the config snapshot being served.', []);
  private readonly lastReloadOk = new GaugeFamily('mcp_sidecar_config_last_reload_success', '1 if the last reload succeeded (or none failed yet), 0 if it failed.', []);
  private readonly tools = new GaugeFamily('mcp_sidecar_tools', 'Tools served, by server.', ['server']);
  private runtime: Registry | undefined;
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';

  constructor() {
    this.lastReloadOk.set([], 1);
  }

  request(server: string, method: string, status: number): void {
    this.requests.inc(`${server}\0${method}\0${status}`, () => [server, method, String(status)]);
  }

  toolCall(server: string, tool: string, outcome: CallOutcomeCode, seconds: number): void {
    this.toolCalls.inc(`${server}\0${tool}\0${outcome}`, () => [server, tool, outcome]);
    this.upstreamLatency.observe(`${server}\0${outcome}`, () => [server, outcome], seconds);
  }

  authFailure(server: string, reason: string): void {
    this.authFailures.inc(`${server}\0${reason}`, () => [server, reason]);
  }

  jwksFetchFailure(): void {
    this.jwksFailures.inc('', () => []);
  }

  reload(result: 'success' | 'failure' | 'unchanged'): void {
    this.reloads.inc(result, () => [result]);
    if (result !== 'unchanged') this.lastReloadOk.set([], result === 'success' ? 1 : 0);
  }

  /** The snapshot being served: its generation and tools per server (servers no longer served drop out). */
  snapshot(generation: number, toolsByServer: ReadonlyMap<string, number>): void {
    this.generation.set([], generation);
    this.tools.clear();
    for (const [server, n] of toolsByServer) this.tools.set([server], n);
  }

  /** The exposition text: the sidecar's series, then the process and runtime ones. */
  async render(): Promise<string> {
    if (!this.runtime) {
      const prom = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
      this.runtime = new prom.Registry();
      prom.collectDefaultMetrics({ register: this.runtime, prefix: 'mcp_sidecar_' });
    }
    const own = [this.requests, this.toolCalls, this.upstreamLatency, this.authFailures, this.jwksFailures, this.reloads, this.generation, this.lastReloadOk, this.tools].map((f) => f.render()).join('');
    return own + (await this.runtime.metrics());
  }
}

interface Series<T> {
  labels: string[];
  value: T;
}

abstract class Family<T> {
  protected readonly series = new Map<string, Series<T>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: string[],
    private readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  protected get(key: string, labels: () => string[], make: () => T): Series<T> {
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labels(), value: make() };
      this.series.set(key, s);
    }
    return s;
  }

  protected head(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
  }

  protected labelText(values: string[], extra = ''): string {
    const pairs = values.map((v, i) => `${this.labelNames[i]}="${escapeLabel(v)}"`);
    if (extra) pairs.push(extra);
    return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
  }

  abstract render(): string;
}

/** A family of plain numbers, one per label set (counters and gauges are written out alike). */
abstract class NumberFamily extends Family<number> {
  render(): string {
    let out = this.head();
    for (const s of this.series.values()) out += `${this.name}${this.labelText(s.labels)} ${s.value}\n`;
    return out;
  }
}

class CounterFamily extends NumberFamily {
  constructor(name: string, help: string, labelNames: string[]) {
    super(name, help, labelNames, 'counter');
  }

  inc(key: string, labels: () => string[]): void {
    this.get(key, labels, () => 0).value++;
  }
}

class GaugeFamily extends NumberFamily {
  constructor(name: string, help: string, labelNames: string[]) {
    super(name, help, labelNames, 'gauge');
  }

  set(labels: string[], value: number): void {
    this.get(labels.join('\0'), () => labels, () => 0).value = value;
  }

  clear(): void {
    this.series.clear();
  }
}

interface HistogramValue {
  /** Observations per bucket (not cumulative; summed when written out), the last one +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

class HistogramFamily extends Family<HistogramValue> {
  constructor(
    name: string,
    help: string,
    labelNames: string[],
    private readonly buckets: number[],
  ) {
    super(name, help, labelNames, 'histogram');
  }

  observe(key: string, labels: () => string[], v: number): void {
    const h = this.get(key, labels, () => ({ counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 })).value;
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]!) i++;
    h.counts[i]!++;
    h.sum += v;
    h.count++;
  }

  render(): string {
    let out = this.head();
    for (const { labels, value } of this.series.values()) {
      let cumulative = 0;
      value.counts.forEach((c, i) => {
        cumulative += c;
        const le = i < this.buckets.length ? String(this.buckets[i]) : '+Inf';
        out += `${this.name}_bucket${this.labelText(labels, `le="${le}"`)} ${cumulative}\n`;
      });
      out += `${this.name}_sum${this.labelText(labels)} ${value.sum}\n${this.name}_count${this.labelText(labels)} ${value.count}\n`;
    }
    return out;
  }
}

/** Label values escape backslash, double quote and newline (text exposition format). */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
