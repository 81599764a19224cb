import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, readFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { allRules } from '../server/src/core/rules';
import { runCli, ROOT } from './support/cli';
import { temporaryFolder } from './support/temporary';

const FOUR = 'test/fixtures/cli/four-problems';
const EXPECTED_FOUR = [
  { rule: 'oas-ref-resolves', line: 14 },
  { rule: 'oas-path-params-match', line: 17 },
  { rule: 'oas-operation-id-unique', line: 18 },
  { rule: 'oas-schema-valid', line: 49 },
];

test('json: exactly the four problems, at their lines, exit 1', () => {
  const { code, stdout } = runCli(['lint', FOUR, '--format', 'json']);
  assert.equal(code, 1);
  const output = JSON.parse(stdout);
  assert.equal(output.version, 1);
  const got = output.diagnostics.map((d: any) => ({ rule: d.rule, line: d.range.start.line }));
  assert.deepEqual(got.sort((a: any, b: any) => a.line - b.line), EXPECTED_FOUR);
  for (const d of output.diagnostics) {
    assert.equal(d.file, `${FOUR}/openapi.yaml`);
    assert.equal(d.severity, 'error');
    assert.ok(d.message.length > 10);
  }
});

test('sarif: valid 2.1.0 shape with rules, help and physical locations', () => {
  const { code, stdout } = runCli(['lint', FOUR, '--format', 'sarif']);
  assert.equal(code, 1);
  const sarif = JSON.parse(stdout);
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'apilens');
  assert.ok(run.tool.driver.rules.length >= allRules.length);
  for (const rule of run.tool.driver.rules.slice(0, allRules.length)) assert.ok(rule.help.text && rule.helpUri && rule.shortDescription.text);
  assert.equal(run.results.length, 4);
  for (const result of run.results) {
    const region = result.locations[0].physicalLocation.region;
    assert.ok(region.startLine >= 1 && region.startColumn >= 1);
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, `${FOUR}/openapi.yaml`);
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
  }
  assert.deepEqual(run.results.map((r: any) => r.locations[0].physicalLocation.region.startLine).sort((a: number, b: number) => a - b), EXPECTED_FOUR.map((e) => e.line + 1));
});

test('text: stylish output with 1-based positions and a summary', () => {
  const { code, stdout } = runCli(['lint', FOUR]);
  assert.equal(code, 1);
  assert.match(stdout, /four-problems\/openapi\.yaml/);
  assert.match(stdout, /15:23\s+error\s+\$ref does not resolve.*oas-ref-resolves/);
  assert.match(stdout, /4 problems \(4 errors, 0 warnings, 0 info\)/);
});

test('files that are not OpenAPI documents get nothing, exit 0', () => {
  const { code, stdout } = runCli(['lint', 'test/fixtures/cli/not-openapi', '--format', 'json']);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout).diagnostics, []);
});

test('--help and --version answer and exit 0; no command at all is a usage error', () => {
  for (const help of [['--help'], ['-h'], ['help'], ['lint', '--help']]) {
    const { code, stdout } = runCli(help);
    assert.equal(code, 0, help.join(' '));
    assert.match(stdout, /^Usage:\n  apilens --help \| --version\n  apilens lint/, help.join(' '));
  }
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const versionRun = runCli(['--version']);
  assert.equal(versionRun.code, 0);
  assert.equal(versionRun.stdout, `${version}\n`);
  assert.equal(runCli([]).code, 2);
});

test('usage errors exit 2', () => {
  assert.equal(runCli(['lint']).code, 2);
  assert.equal(runCli(['lint', FOUR, '--format', 'xml']).code, 2);
  assert.equal(runCli(['frobnicate']).code, 2);
  assert.equal(runCli(['lint', 'does/not/exist']).code, 2);
});

test('rules --format json lists every rule with its metadata, and each has a doc', () => {
  const { code, stdout } = runCli(['rules', '--format', 'json']);
  assert.equal(code, 0);
  const { rules } = JSON.parse(stdout);
  assert.deepEqual(rules.map((r: any) => r.id).sort(), allRules.map((r) => r.id).sort());
  for (const rule of rules) {
    assert.deepEqual(Object.keys(rule).sort(), ['appliesTo', 'description', 'fixable', 'id', 'severity']);
    assert.ok(existsSync(join(ROOT, 'docs/rules', `${rule.id}.md`)), `docs/rules/${rule.id}.md missing: run npm run docs`);
  }
});

test('config file sets severities and turns rules off', () => {
  const dir = temporaryFolder('cfg');
  writeFileSync(join(dir, 'openapi.yaml'), readFileSync(join(ROOT, FOUR, 'openapi.yaml')));
  writeFileSync(join(dir, '.apilens.yaml'), 'rules:\n  oas-schema-valid: off\n  oas-ref-resolves: warn\n');
  const { stdout } = runCli(['lint', '.', '--format', 'json'], dir);
  const diagnostics = JSON.parse(stdout).diagnostics;
  assert.ok(!diagnostics.some((d: any) => d.rule === 'oas-schema-valid'));
  assert.equal(diagnostics.find((d: any) => d.rule === 'oas-ref-resolves').severity, 'warning');
  const explicit = runCli(['lint', '.', '--format', 'json', '--config', join(dir, 'missing.yaml')], dir);
  assert.equal(explicit.code, 2);
});

test('gitignored folders are skipped; explicit files are not', () => {
  const dir = temporaryFolder('ignore');
  mkdirSync(join(dir, 'generated'));
  writeFileSync(join(dir, '.gitignore'), 'generated/\n');
  writeFileSync(join(dir, 'generated', 'openapi.yaml'), readFileSync(join(ROOT, FOUR, 'openapi.yaml')));
  assert.deepEqual(JSON.parse(runCli(['lint', '.', '--format', 'json'], dir).stdout).diagnostics, []);
  assert.equal(JSON.parse(runCli(['lint', 'generated/openapi.yaml', '--format', 'json'], dir).stdout).diagnostics.length, 4);
});

test('a symlink out of the workspace is not followed', () => {
  const outside = temporaryFolder('outside');
  writeFileSync(join(outside, 'secret.yaml'), 'components:\n  schemas:\n    Secret: { type: string }\n');
  const dir = temporaryFolder('ws');
  symlinkSync(join(outside, 'secret.yaml'), join(dir, 'linked.yaml'));
  writeFileSync(join(dir, 'openapi.yaml'), `openapi: 3.1.0
info: { title: T, version: 1.0.0 }
paths: {}
components:
  schemas:
    A:
      $ref: './linked.yaml#/components/schemas/Secret'
`);
  const diagnostics = JSON.parse(runCli(['lint', 'openapi.yaml', '--format', 'json'], dir).stdout).diagnostics;
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].rule, 'oas-ref-resolves');
  assert.match(diagnostics[0].message, /outside the workspace/);
});

test('a spec-only run never loads the TypeScript compiler; a run with route code does', () => {
  // dist/typescript.js is 9 MB that takes about half a second to load: only route files need it.
  const trace = join(temporaryFolder('trace'), 'trace.cjs');
  // It is read, whether through the code cache (server/src/compile-cache.ts) or through require.
  writeFileSync(trace, `const fs = require('fs'); const read = fs.readFileSync;
fs.readFileSync = function (file, ...rest) { if (/typescript\\.js$/.test(String(file))) process.stderr.write('TYPESCRIPT LOADED\\n'); return read.call(this, file, ...rest); };`);
  const run = (target: string, env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, ['-r', trace, join(ROOT, 'dist/cli.js'), 'lint', target, '--format', 'json'], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env },
  });
  assert.doesNotMatch(run(`${FOUR}/openapi.yaml`).stderr, /TYPESCRIPT LOADED/);
  assert.doesNotMatch(run('examples/billing-service/openapi.json').stderr, /TYPESCRIPT LOADED/);
  assert.match(run('examples/orders-service').stderr, /TYPESCRIPT LOADED/);
  assert.match(run('examples/orders-service', { APILENS_COMPILE_CACHE: 'off' }).stderr, /TYPESCRIPT LOADED/);
});
