// Build step: yaml (72 CommonJS files), pino (30 with its dependencies) and ajv with ajv-formats (90)
// each bundled into one file under dist/vendor/. Resolving, reading and compiling that many small files
// is most of what loading them costs: ~35 ms of every start for yaml, ~25 ms for pino, ~30 ms for ajv
// once serving. src/util/vendored.ts falls back to the packages themselves when these files are absent
// (tests, tsx). pino's transports (worker threads that load files by path) are not used by the sidecar.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', legalComments: 'inline', logLevel: 'warning' };
await build({ ...common, entryPoints: ['node_modules/yaml/dist/index.js'], outfile: 'dist/vendor/yaml.cjs' });
await build({ ...common, entryPoints: ['node_modules/pino/pino.js'], outfile: 'dist/vendor/pino.cjs' });
await build({
  ...common,
  entryPoints: ['scripts/ajv-entry.cjs'],
  outfile: 'dist/vendor/ajv.cjs',
});
