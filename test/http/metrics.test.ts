// The sidecar writes its own series in the Prometheus text format (prom-client only adds the
// process and runtime ones at scrape time), so the format itself is checked here.
import t from 'tap';
import { Metrics } from '../../src/http/metrics.js';

const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name));

t.test('counters count per label set, with HELP and TYPE', async (t) => {
  const m = new Metrics();
  m.request('pets', 'POST', 200);
  m.request('pets', 'POST', 200);
  m.request('pets', 'POST', 401);
  const text = await m.render();
  t.match(text, /^# HELP mcp_sidecar_http_requests_total HTTP requests by server, MCP method and status\.$/m);
  t.match(text, /^# TYPE mcp_sidecar_http_requests_total counter$/m);
  t.same(lines(text, 'mcp_sidecar_http_requests_total{'), ['mcp_sidecar_http_requests_total{server="pets",method="POST",status="200"} 2', 'mcp_sidecar_http_requests_total{server="pets",method="POST",status="401"} 1']);
});

t.test('the upstream histogram: cumulative buckets, +Inf, sum and count', async (t) => {
  const m = new Metrics();
  for (const s of [0.0005, 0.003, 0.003, 0.2, 99]) m.toolCall('pets', 'getPet', 'OK', s);
  const text = await m.render();
  const bucket = (le: string) => Number(new RegExp(`^mcp_sidecar_upstream_duration_seconds_bucket\\{server="pets",outcome="OK",le="${le.replace('+', '\\+')}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  t.equal(bucket('0.001'), 1);
  t.equal(bucket('0.0025'), 1);
  t.equal(bucket('0.005'), 3);
  t.equal(bucket('0.25'), 4);
  t.equal(bucket('30'), 4);
  t.equal(bucket('+Inf'), 5, '+Inf counts every observation');
  t.match(text, /^mcp_sidecar_upstream_duration_seconds_count\{server="pets",outcome="OK"\} 5$/m);
  const sum = Number(/^mcp_sidecar_upstream_duration_seconds_sum\{server="pets",outcome="OK"\} (\S+)$/m.exec(text)?.[1]);
  t.ok(Math.abs(sum - 99.2065) < 1e-9, `sum ${sum}`);
  t.match(text, /^mcp_sidecar_tool_calls_total\{server="pets",tool="getPet",outcome="OK"\} 5$/m);
});

t.test('label values are escaped', async (t) => {
  const m = new Metrics();
  m.authFailure('a"b\\c\nd', 'invalid_token');
  t.match(await m.render(), 'mcp_sidecar_auth_failures_total{server="a\\"b\\\\c\\nd",reason="invalid_token"} 1');
});

t.test('gauges follow the snapshot; servers no longer served drop out', async (t) => {
  const m = new Metrics();
  m.snapshot(1, new Map([['a', 3], ['b', 4]]));
  m.snapshot(2, new Map([['a', 5]]));
  const text = await m.render();
  t.match(text, /^mcp_sidecar_config_generation 2$/m);
  t.same(lines(text, 'mcp_sidecar_tools{'), ['mcp_sidecar_tools{server="a"} 5']);
});

t.test('reload results, and the last-reload gauge', async (t) => {
  const m = new Metrics();
  t.match(await m.render(), /^mcp_sidecar_config_last_reload_success 1$/m, 'no reload failed yet');
  m.reload('failure');
  t.match(await m.render(), /^mcp_sidecar_config_last_reload_success 0$/m);
  m.reload('unchanged');
  t.match(await m.render(), /^mcp_sidecar_config_last_reload_success 0$/m, 'an unchanged reload says nothing about the last failure');
  m.reload('success');
  const text = await m.render();
  t.match(text, /^mcp_sidecar_config_last_reload_success 1$/m);
  t.match(text, /^mcp_sidecar_config_reloads_total\{result="failure"\} 1$/m);
});

t.test('process and runtime series come from prom-client', async (t) => {
  const text = await new Metrics().render();
  t.match(text, /^mcp_sidecar_process_cpu_user_seconds_total \d/m);
  t.match(text, /^mcp_sidecar_nodejs_heap_size_used_bytes \d/m);
  t.equal(new Set(text.split('\n').filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2])).size, text.split('\n').filter((l) => l.startsWith('# TYPE')).length, 'no metric family is declared twice');
});
