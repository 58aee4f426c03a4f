import { parseArgs } from 'node:util';

export interface CliArgs {
  command: string;
  config: string | undefined;
  spec: string | undefined;
  /** `hapi serve <project> --openapi <spec>`: the project name becomes the server name. */
  name: string | undefined;
  /** `-f FILE` (repeatable): overlays layered on the spec, or HAPI's `serve NAME -f spec.yaml`. */
  files: string[];
  host: string | undefined;
  port: number | undefined;
  baseUrl: string | undefined;
  server: string | undefined;
  json: boolean;
  help: boolean;
  version: boolean;
}

export const USAGE = `Usage: mcp-sidecar <command> [options]

Commands:
  serve [spec]     Serve every API in the config as MCP (Streamable HTTP). With a spec and no
                   --config, serves that one spec at /mcp.
  stdio            Serve one server of the config over stdio (for local MCP clients).
  validate         Check the config and every spec it names; print every problem.
  tools            Print the tools each server exposes, with a rough token count of tools/list.
  demo             Start the built-in demo API and serve it (what \`npm start\` runs).

Options:
  -c, --config <file>   Config file (default: $MCP_SIDECAR_CONFIG, else ./config.yaml)
      --host <addr>     Override listen.host
  -p, --port <n>        Override listen.port
      --base-url <url>  Upstream base URL (serve <spec> without a config)
      --openapi <spec>  HAPI style: serve <name> --openapi <spec> --url <backend>
      --url <url>       Same as --base-url (HAPI style)
  -f, --file <file>     Layer a file on the spec (repeatable): an OpenAPI Overlay, HAPI's security
                        file (kind: Security) or a partial OpenAPI document. \`serve <name> -f spec.yaml\`
                        (HAPI style) serves spec.yaml as <name>.
      --server <name>   Which server to use with stdio (default: the one at /mcp, or the only one)
      --json            Machine-readable output (tools)
      --headless        Accepted for HAPI compatibility (mcp-sidecar is always headless)
  -h, --help            Show this help
  -v, --version         Print the version
`;

export function parseCli(argv: string[]): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      'base-url': { type: 'string' },
      openapi: { type: 'string' },
      url: { type: 'string' },
      file: { type: 'string', short: 'f', multiple: true },
      server: { type: 'string' },
      json: { type: 'boolean', default: false },
      headless: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`--port must be a port number, got "${values.port}"`);
  return {
    command: positionals[0] ?? (values.help || values.version ? '' : 'serve'),
    spec: values.openapi ?? positionals[1],
    name: values.openapi !== undefined ? positionals[1] : undefined,
    files: values.file ?? [],
    config: values.config,
    host: values.host,
    port,
    baseUrl: values['base-url'] ?? values.url,
    server: values.server,
    json: values.json ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
