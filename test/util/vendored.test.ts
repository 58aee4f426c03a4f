// yaml and ajv load from one-file bundles after a build (dist/vendor/), and from the packages when
// running from source; the code is the same either way.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { repoRoot } from '../helpers/cli.js';
import { requireVendored } from '../../src/util/vendored.js';
import { parseDocument } from '../../src/util/yaml.js';

t.test('from source, with no bundle, the package itself', async (t) => {
  t.equal(requireVendored('no-such-bundle', () => 'from packages'), 'from packages');
  t.equal(parseDocument('a: 1\n').toJS().a, 1);
});

t.test('after a build, the sidecar loads yaml, pino and ajv from one file each, not from the packages', async (t) => {
  t.ok(existsSync(`${repoRoot}dist/vendor/yaml.cjs`), 'npm run build made dist/vendor (npm install and npm ci build)');
  const script = `
    const { parseDocument } = await import('./dist/util/yaml.js');
    const { createLogger } = await import('./dist/log.js');
    createLogger({ level: 'silent', format: 'json' }).info('not written');
    const { createLazyValidator, lazyAjv, warmUpValidators } = await import('./dist/runtime/validators.js');
    warmUpValidators();
    const check = createLazyValidator(lazyAjv(), { type: 'object', properties: { d: { type: 'string', format: 'date' } } });
    const errors = check({ d: 'not a date' });
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache).map((f) => f.replace(process.cwd() + '/', ''));
    console.log(JSON.stringify({ value: parseDocument('a: [1, 2]').toJS(), errors, loaded }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' })) as { value: unknown; errors: unknown; loaded: string[] };
  t.same(out.value, { a: [1, 2] });
  t.match(out.errors, [{ field: 'd', message: /date/ }], 'a format check (ajv-formats) from the bundle');
  t.ok(out.loaded.includes('dist/vendor/yaml.cjs'), 'yaml from the bundle');
  t.ok(out.loaded.includes('dist/vendor/ajv.cjs'), 'ajv from the bundle');
  t.ok(out.loaded.includes('dist/vendor/pino.cjs'), 'pino from the bundle');
  t.same(out.loaded.filter((f) => /node_modules\/(yaml|ajv|ajv-formats|pino|sonic-boom)\//.test(f)), [], 'none of the packages’ own files');
});
