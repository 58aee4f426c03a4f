import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics. Label children are cached by key, so the hot path does one Map lookup
 * and an increment instead of hashing a label object per call.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'mcp_sidecar_http_requests_total', help: 'HTTP requests by server, MCP method and status.', labelNames: ['server', 'method', 'status'], registers: [this.registry] });
  private readonly toolCalls = new Counter({ name: 'mcp_sidecar_tool_calls_total', help: 'Tool calls by server, tool and outcome.', labelNames: ['server', 'tool', 'outcome'], registers: [this.registry] });
  private readonly upstreamLatency = new Histogram({
    name: 'mcp_sidecar_upstream_duration_seconds',
    help: 'Upstream request duration, from send to full body, by server and outcome.',
    labelNames: ['server', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly authFailures = new Counter({ name: 'mcp_sidecar_auth_failures_total', help: 'Rejected requests by server and reason.', labelNames: ['server', 'reason'], registers: [this.registry] });
  private readonly reloads = new Counter({ name: 'mcp_sidecar_config_reloads_total', help: 'Config reloads by result (success, failure, unchanged).', labelNames: ['result'], registers: [this.registry] });
  readonly generation = new Gauge({ name: 'mcp_sidecar_config_generation', help: 'Generation of the config snapshot being served.', registers: [this.registry] });
  readonly lastReloadOk = new Gauge({ name: 'mcp_sidecar_config_last_reload_success', help: '1 if the last reload succeeded (or none failed yet), 0 if it failed.', registers: [this.registry] });
  readonly toolsGauge = new Gauge({ name: 'mcp_sidecar_tools', help: 'Tools served, by server.', labelNames: ['server'], registers: [this.registry] });
  private readonly children = new Map<string, { inc(): void } | { observe(v: number): void }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mcp_sidecar_' });
    this.lastReloadOk.set(1);
  }

  request(server: string, method: string, status: number): void {
    this.child(`r\0${server}\0${method}\0${status}`, () => this.requests.labels(server, method, String(status))).inc();
  }

  toolCall(server: string, tool: string, outcome: string, seconds: number): void {
    this.child(`t\0${server}\0${tool}\0${outcome}`, () => this.toolCalls.labels(server, tool, outcome)).inc();
    (this.child(`u\0${server}\0${outcome}`, () => this.upstreamLatency.labels(server, outcome)) as { observe(v: number): void }).observe(seconds);
  }

  authFailure(server: string, reason: string): void {
    this.child(`a\0${server}\0${reason}`, () => this.authFailures.labels(server, reason)).inc();
  }

  reload(result: 'success' | 'failure' | 'unchanged'): void {
    this.reloads.labels(result).inc();
    if (result !== 'unchanged') this.lastReloadOk.set(result === 'success' ? 1 : 0);
  }

  private child<T extends object>(key: string, make: () => T): T & { inc(): void } {
    let c = this.children.get(key);
    if (!c) {
      c = make() as never;
      this.children.set(key, c!);
    }
    return c as T & { inc(): void };
  }
}
