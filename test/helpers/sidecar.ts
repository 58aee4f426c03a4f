import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify } from 'yaml';
import { AuditLog } from '../../src/auth/index.js';
import { silentLogger } from '../../src/log.js';
import { startSidecar, type Sidecar } from '../../src/sidecar.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestSidecar extends Sidecar {
  dir: string;
  configFile: string;
  /** Rewrites the config file (object → YAML, or raw text). */
  writeConfig(config: object | string): void;
}

/**
 * Writes `files` (name → text or object as JSON/YAML) and `config` into a fresh temp folder,
 * starts the sidecar on 127.0.0.1:0 with a silent logger, and stops it in teardown.
 */
export async function startTestSidecar(t: Teardown, opts: { config: object | string; files?: Record<string, string | object>; audit?: AuditLog }): Promise<TestSidecar> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    const text = typeof content === 'string' ? content : name.endsWith('.json') ? JSON.stringify(content) : stringify(content);
    writeFileSync(path.join(dir, name), text);
  }
  const configFile = path.join(dir, 'config.yaml');
  const writeConfig = (config: object | string) => writeFileSync(configFile, typeof config === 'string' ? config : stringify(config));
  writeConfig(opts.config);
  const sidecar = await startSidecar({ configFile, port: 0, host: '127.0.0.1', log: silentLogger, audit: opts.audit ?? new AuditLog({ enabled: false, file: undefined }) });
  t.teardown(() => sidecar.close(1000));
  return Object.assign(sidecar, { dir, configFile, writeConfig });
}

/** The real MCP SDK client over Streamable HTTP, connected (initialize done) and closed in teardown. */
export async function connectClient(t: Teardown, url: string, opts: { headers?: Record<string, string> } = {}): Promise<Client> {
  const client = new Client({ name: 'mcp-sidecar-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: opts.headers ?? {} } });
  await client.connect(transport);
  t.teardown(() => client.close());
  return client;
}

/** Text of the first content item of a tool result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.find((c) => c.type === 'text')?.text ?? '';
}

/** A minimal OpenAPI 3.0 document around the given paths. */
export function spec30(paths: object, extra: object = {}): object {
  return { openapi: '3.0.3', info: { title: 'Test API', version: '1.0.0' }, paths, ...extra };
}
