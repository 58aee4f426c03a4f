#!/usr/bin/env node
import { USAGE, parseCli } from './cli/args.js';
import { runDemo, runServe, runStdio, runTools, runValidate } from './cli/commands.js';
import { formatError } from './errors.js';
import { VERSION } from './version.js';

async function main(argv: string[]): Promise<number | undefined> {
  const args = parseCli(argv);
  if (args.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.help || args.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (args.command) {
    case 'serve':
      await runServe(args, process.env);
      return undefined;
    case 'demo':
      await runDemo(args, process.env);
      return undefined;
    case 'stdio':
      await runStdio(args, process.env);
      return undefined;
    case 'validate':
      return runValidate(args, process.env, out);
    case 'tools':
      return runTools(args, process.env, out);
    default:
      process.stderr.write(`unknown command "${args.command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mcp-sidecar: ${formatError(err)}\n`);
    process.exitCode = 2;
  },
);
