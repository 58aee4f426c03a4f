import t from 'tap';
import { loadConfigSchema, parseConfig } from '../../src/config/index.js';
import { AppError } from '../../src/errors.js';

// The HTTP server's client limits: defaults, written values, and the one rule node:http imposes.
const FILE = '/srv/sidecar/config.yaml';
const limitsOf = (limits: string) => parseConfig(`${limits}servers:\n  - spec: ./api.yaml\n`, FILE, {}).limits;

t.test('the client limits default to seconds, not node’s minutes, and agree with the schema', async (t) => {
  t.match(limitsOf(''), { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000, maxConnections: 10_000 });
  const schema = loadConfigSchema() as { properties: { limits: { properties: Record<string, { default?: unknown }> } } };
  const props = schema.properties.limits.properties;
  t.same(
    ['headersTimeout', 'requestTimeout', 'keepAliveTimeout', 'maxConnections'].map((k) => props[k]!.default),
    ['10s', '30s', '65s', 10_000],
  );
});

t.test('written values compile to milliseconds', async (t) => {
  t.match(limitsOf('limits:\n  headersTimeout: 2s\n  requestTimeout: 1m\n  keepAliveTimeout: 5s\n  maxConnections: 50\n'), {
    headersTimeoutMs: 2000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5000,
    maxConnections: 50,
  });
  t.match(limitsOf('limits:\n  headersTimeout: 0\n  requestTimeout: 0\n'), { headersTimeoutMs: 0, requestTimeoutMs: 0 }, '0 turns them off');
});

t.test('an unset headersTimeout is at most the requestTimeout', async (t) => {
  t.equal(limitsOf('limits:\n  requestTimeout: 4s\n').headersTimeoutMs, 4000);
  t.equal(limitsOf('limits:\n  requestTimeout: 0\n').headersTimeoutMs, 10_000, 'the default when requests have no timeout');
});

t.test('a headersTimeout longer than the requestTimeout is a config error at the key', async (t) => {
  const err = (() => {
    try {
      limitsOf('limits:\n  headersTimeout: 20s\n  requestTimeout: 5s\n');
    } catch (e) {
      return e;
    }
  })() as AppError;
  t.equal(err?.code, 'CONFIG_INVALID');
  t.same(err.problems, [{ file: FILE, line: 2, column: 19, path: 'limits.headersTimeout', message: 'must not be longer than limits.requestTimeout (20000 ms > 5000 ms)' }]);
});

t.test('a maxConnections below 1 or a bad duration is a schema error naming the key', async (t) => {
  for (const [text, key] of [
    ['limits:\n  maxConnections: 0\n', 'limits.maxConnections'],
    ['limits:\n  requestTimeout: soon\n', 'limits.requestTimeout'],
  ] as const) {
    t.throws(() => limitsOf(text), { code: 'CONFIG_INVALID', problems: [{ path: key }] }, key);
  }
});
