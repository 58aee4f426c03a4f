// `npm run conformance`: the official MCP conformance suite (server scenarios) against the sidecar
// serving config/conformance.yaml in front of the demo API. Exits non-zero on any failure that is
// not listed, with its reason, in test/conformance/expected-failures.yaml (and on stale entries).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AuditLog } from '../../src/auth/index.js';
import { startDemoApi } from '../../src/demo/api.js';
import { silentLogger } from '../../src/log.js';
import { startSidecar } from '../../src/sidecar.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const api = await startDemoApi();
const sidecar = await startSidecar({
  configFile: here('../../config/conformance.yaml'),
  port: 0,
  log: silentLogger,
  audit: new AuditLog({ enabled: false, file: undefined }),
  env: { ...process.env, DEMO_API_URL: api.url },
});
const bin = here('../../node_modules/@modelcontextprotocol/conformance/dist/index.js');

async function suite(path: string): Promise<number> {
  const child = spawn(process.execPath, [bin, 'server', '--url', `${sidecar.url}${path}`, '--expected-failures', here('./expected-failures.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  // The suite prints a line per scenario as it goes; keep the summary and the baseline verdict.
  process.stdout.write(`\n##### ${path} (${path.endsWith('stateful') ? 'stateful sessions' : 'stateless'})\n${out.slice(out.indexOf('=== SUMMARY ==='))}`);
  return code;
}

const codes = [await suite('/mcp'), await suite('/mcp/stateful')];
const code = codes.some((c) => c !== 0) ? 1 : 0;
await sidecar.close(1000);
api.server.close();
process.exit(code);
