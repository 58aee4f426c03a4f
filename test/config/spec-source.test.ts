/**
 * A spec is decided once as a file or a URL, when the config is compiled, whichever way it was named:
 * a config file, `serve <spec>`, `--openapi`, `stdio`, `validate`; relative or absolute paths, file: and
 * http(s) URLs. Bad ones are config problems naming the file, line and key.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { parseCli } from '../../src/cli/args.js';
import { resolveConfigSource } from '../../src/cli/config-source.js';
import { parseConfig, type SpecSource } from '../../src/config/index.js';
import { isAppError } from '../../src/errors.js';

const FILE = '/srv/sidecar/config.yaml';
const specOf = (spec: string): SpecSource => parseConfig(`servers:\n  - spec: "${spec}"\n`, FILE, {}).servers[0]!.spec;

t.test('in a config file: paths are files (relative to the config), http(s) URLs are URLs', async (t) => {
  t.same(specOf('./api.yaml'), { kind: 'file', path: '/srv/sidecar/api.yaml' });
  t.same(specOf('specs/v2/api.json'), { kind: 'file', path: '/srv/sidecar/specs/v2/api.json' });
  t.same(specOf('/etc/api.yaml'), { kind: 'file', path: '/etc/api.yaml' });
  t.same(specOf('file:///etc/my%20api.yaml'), { kind: 'file', path: '/etc/my api.yaml' }, 'a file: URL is a file');
  t.same(specOf('https://api.example.com/openapi.json'), { kind: 'url', url: 'https://api.example.com/openapi.json' });
  t.same(specOf('HTTP://127.0.0.1:8080/spec'), { kind: 'url', url: 'HTTP://127.0.0.1:8080/spec' }, 'the scheme is case-insensitive');
  t.same(specOf('C:/specs/api.yaml'), { kind: 'file', path: path.resolve('/srv/sidecar', 'C:/specs/api.yaml') }, 'no // after the colon: a path');
});

t.test('a spec that is neither a file path nor a usable http(s) URL is a config problem at its line', async (t) => {
  for (const [spec, message] of [
    ['https://', 'not a valid URL: https://'],
    ['http://exa mple.com/spec', 'not a valid URL: http://exa mple.com/spec'],
    ['ftp://files.example.com/api.yaml', 'not a file path or an http(s) URL: ftp://files.example.com/api.yaml'],
    ['file://other-host/api.yaml', 'not a valid file URL: file://other-host/api.yaml'],
  ] as const) {
    const err = (() => {
      try {
        specOf(spec);
      } catch (e) {
        return e;
      }
    })();
    t.ok(isAppError(err) && err.code === 'CONFIG_INVALID', spec);
    if (!isAppError(err)) continue;
    t.match(err.problems, [{ file: FILE, line: 2, path: 'servers[0].spec', message: new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }], spec);
  }
});

t.test('every command-line form gives the same spec as a config file naming it', async (t) => {
  const rel = 'test/fixtures/config/specs/pets.yaml';
  const abs = path.resolve(rel);
  const forms = [
    ['serve', rel, '--base-url', 'http://127.0.0.1:3000'],
    ['serve', abs, '--base-url', 'http://127.0.0.1:3000'],
    ['serve', pathToFileURL(abs).href, '--base-url', 'http://127.0.0.1:3000'],
    ['serve', 'pets', '--openapi', rel, '--url', 'http://127.0.0.1:3000'],
    ['stdio', rel, '--base-url', 'http://127.0.0.1:3000'],
    ['stdio', 'pets', '--openapi', abs, '--url', 'http://127.0.0.1:3000'],
    ['validate', rel],
    ['tools', rel],
  ];
  const fromConfig = parseConfig(`servers:\n  - spec: ${abs}\n`, path.resolve('config.yaml'), {}).servers[0]!.spec;
  t.same(fromConfig, { kind: 'file', path: abs });
  for (const argv of forms) {
    const source = resolveConfigSource(parseCli(argv), {});
    t.same('config' in source ? source.config.servers[0]!.spec : undefined, fromConfig, argv.join(' '));
  }
  const url = resolveConfigSource(parseCli(['serve', 'https://api.example.com/openapi.json']), {});
  t.same('config' in url ? url.config.servers[0]!.spec : undefined, { kind: 'url', url: 'https://api.example.com/openapi.json' });
  t.throws(() => resolveConfigSource(parseCli(['serve', 'https://', '--base-url', 'http://127.0.0.1:3000']), {}), { code: 'CONFIG_INVALID' }, 'a bad URL on the command line is the same config problem');
});
