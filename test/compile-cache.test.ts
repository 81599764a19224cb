import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, lstatSync, mkdirSync, symlinkSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { compileCacheDirectory, requireWithCompileCache } from '../server/src/compile-cache';
import { ROOT, CLI } from './support/cli';
import { temporaryFolder } from './support/temporary';

const LOADER = join(ROOT, 'dist/compile-cache.js');

/** Loads `file` through dist/compile-cache.js in a fresh Node, as dist/cli.js loads its bundle. */
function load(file: string, cacheDirectory: string, nodeFlags: string[] = []) {
  const script = `const m = require(${JSON.stringify(LOADER)}).requireWithCompileCache(${JSON.stringify(file)}); process.stdout.write(JSON.stringify(m.answer()));`;
  const run = spawnSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8', env: { ...process.env, APILENS_COMPILE_CACHE: cacheDirectory } });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function bundle(body: string): string {
  const file = join(temporaryFolder('bundle'), 'bundle.js');
  writeFileSync(file, body);
  return file;
}

/** Runs `body` in this process with the cache in `directory` and Node's timers mocked. */
function inThisProcess(directory: string, body: () => void): void {
  const setting = process.env.APILENS_COMPILE_CACHE;
  mock.timers.enable({ apis: ['setTimeout'] });
  process.env.APILENS_COMPILE_CACHE = directory;
  try {
    body();
  } finally {
    mock.timers.reset();
    if (setting === undefined) delete process.env.APILENS_COMPILE_CACHE;
    else process.env.APILENS_COMPILE_CACHE = setting;
  }
}

const cacheFiles = (directory: string) => (existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.v8')).sort() : []);

test('the first run writes the cache, the next ones read it and leave it as it is', () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const file = bundle(`#!/usr/bin/env node\nexports.answer = () => [__filename, typeof require('node:path').join, 6 * 7];\n`);
  assert.deepEqual(load(file, directory), [file, 'function', 42]);
  const written = cacheFiles(directory);
  assert.equal(written.length, 1);
  assert.match(written[0], /^bundle-[0-9a-f]{16}\.v8$/);
  const before = statSync(join(directory, written[0]));
  assert.equal(before.mode & 0o777, 0o600);
  assert.equal(statSync(directory).mode & 0o777, 0o700);
  assert.deepEqual(load(file, directory), [file, 'function', 42]);
  const after = statSync(join(directory, written[0]));
  assert.equal(after.mtimeMs, before.mtimeMs, 'an accepted cache is not written again');
  assert.equal(after.ino, before.ino);
});

test('a process that runs on (a language server) writes its cache after half a minute', () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const file = bundle('exports.answer = () => "long-lived";\n');
  inThisProcess(directory, () => {
    assert.equal(requireWithCompileCache(file).answer(), 'long-lived');
    assert.equal(requireWithCompileCache(file).answer(), 'long-lived', 'loaded once');
    mock.timers.tick(29_000);
    assert.deepEqual(cacheFiles(directory), []);
    mock.timers.tick(1_000);
    assert.equal(cacheFiles(directory).length, 1);
  });
});

test('a link planted where the cache is written is not written through', () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const source = 'exports.answer = () => "planted";\n';
  const file = bundle(source);
  const victim = join(temporaryFolder('victim'), 'victim.txt');
  writeFileSync(victim, 'keep me');
  mkdirSync(directory);
  const cachePath = join(directory, `bundle-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.v8`);
  symlinkSync(victim, `${cachePath}.${process.pid}.tmp`);
  inThisProcess(directory, () => {
    assert.equal(requireWithCompileCache(file).answer(), 'planted');
    mock.timers.tick(30_000);
    assert.equal(readFileSync(victim, 'utf8'), 'keep me');
    assert.equal(existsSync(cachePath), false);
    assert.throws(() => lstatSync(`${cachePath}.${process.pid}.tmp`), 'the planted link is removed');
  });
});

test('a rebuild of the same length gets its own cache, and the old one is removed', () => {
  // V8 only compares the source's length: a cache named by the path would run the old code.
  const directory = join(temporaryFolder('cache'), 'cache');
  const file = bundle('exports.answer = () => 1;\n');
  assert.equal(load(file, directory), 1);
  const first = cacheFiles(directory);
  writeFileSync(file, 'exports.answer = () => 2;\n');
  assert.equal(load(file, directory), 2);
  const second = cacheFiles(directory);
  assert.equal(second.length, 1);
  assert.notDeepEqual(second, first);
});

test('data made with other V8 flags is compiled past and replaced', () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const file = bundle('exports.answer = () => "same";\n');
  assert.equal(load(file, directory), 'same');
  const [name] = cacheFiles(directory);
  const made = readFileSync(join(directory, name));
  assert.equal(load(file, directory, ['--stack-size=900']), 'same');
  assert.deepEqual(cacheFiles(directory), [name]);
  assert.notDeepEqual(readFileSync(join(directory, name)), made, 'V8 refused it, so it was written again');
  const remade = statSync(join(directory, name)).mtimeMs;
  assert.equal(load(file, directory, ['--stack-size=900']), 'same');
  assert.equal(statSync(join(directory, name)).mtimeMs, remade);
});

test('a damaged cache is compiled past and replaced', () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const file = bundle('exports.answer = () => ({ ok: true });\n');
  load(file, directory);
  const [name] = cacheFiles(directory);
  writeFileSync(join(directory, name), Buffer.alloc(4096, 0xab));
  assert.deepEqual(load(file, directory), { ok: true });
  assert.notDeepEqual(readFileSync(join(directory, name)).subarray(0, 16), Buffer.alloc(16, 0xab));
});

test('a cache file that belongs to another user is not read', { skip: process.getuid?.() !== 0 && 'needs root to give a file away' }, () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const file = bundle('exports.answer = () => "mine";\n');
  load(file, directory);
  const [name] = cacheFiles(directory);
  chownSync(join(directory, name), 65534, 65534);
  assert.equal(load(file, directory), 'mine');
  assert.equal(statSync(join(directory, name)).uid, 0, 'replaced by a file of this user');
});

test('off, or a cache folder that cannot be written, still runs the code', () => {
  const parent = temporaryFolder('cache');
  const file = bundle('exports.answer = () => "ran";\n');
  assert.equal(load(file, 'off'), 'ran');
  const blocker = join(parent, 'a-file');
  writeFileSync(blocker, '');
  assert.equal(load(file, join(blocker, 'cache')), 'ran');
  assert.deepEqual(readdirSync(parent), ['a-file']);
});

test('a bundle that throws while loading is not left half-loaded', () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const file = bundle('throw new Error("broken bundle");\n');
  const script = `const { requireWithCompileCache } = require(${JSON.stringify(LOADER)});
for (let i = 0; i < 2; i++) try { requireWithCompileCache(${JSON.stringify(file)}); } catch (e) { console.log(e.message); }`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, APILENS_COMPILE_CACHE: directory } });
  assert.equal(run.stdout, 'broken bundle\nbroken bundle\n');
});

test('where the cache lives', () => {
  assert.equal(compileCacheDirectory({ APILENS_COMPILE_CACHE: 'off' }), undefined);
  assert.equal(compileCacheDirectory({ APILENS_COMPILE_CACHE: '0' }), undefined);
  assert.equal(compileCacheDirectory({ APILENS_COMPILE_CACHE: '/x/y' }), '/x/y');
  assert.equal(compileCacheDirectory({ APILENS_COMPILE_CACHE: 'relative/path' }), undefined, 'never a folder that depends on where it runs');
  assert.equal(compileCacheDirectory({ XDG_CACHE_HOME: '/cache' }), join('/cache', 'apilens', 'compile-cache'));
  assert.equal(compileCacheDirectory({ XDG_CACHE_HOME: 'relative' }), undefined);
  if (process.platform === 'linux') assert.match(compileCacheDirectory({}) ?? '', /\/\.cache\/apilens\/compile-cache$/);
  assert.equal(compileCacheDirectory({ CI: 'true', XDG_CACHE_HOME: '/cache' }), undefined, 'a CI runner starts empty: only where it is asked for');
  assert.equal(compileCacheDirectory({ CI: 'true', APILENS_COMPILE_CACHE: '/ci/cache' }), '/ci/cache');
  assert.equal(compileCacheDirectory({ CI: 'false', XDG_CACHE_HOME: '/cache' }), join('/cache', 'apilens', 'compile-cache'));
});

test('the CLI finds the same problems with the cache cold, warm and off', () => {
  const directory = join(temporaryFolder('cache'), 'cache');
  const lint = (cache: string) => {
    const run = spawnSync(process.execPath, [CLI, 'lint', 'examples', '--format', 'json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, APILENS_COMPILE_CACHE: cache } });
    assert.equal(run.status, 1, run.stderr);
    return run.stdout;
  };
  const off = lint('off');
  assert.equal(lint(directory), off);
  assert.deepEqual(cacheFiles(directory).map((name) => name.replace(/-[0-9a-f]{16}\.v8$/, '')), ['cli-main', 'typescript']);
  assert.equal(lint(directory), off);
});

test('the bundles are one byte a character, so V8 holds their source at half the size', () => {
  for (const bundle of ['cli-main.js', 'server-main.js']) {
    const text = readFileSync(join(ROOT, 'dist', bundle), 'utf8');
    assert.ok(text.length > 1_000_000, bundle);
    assert.equal(/[^\u0000-\u00ff]/.exec(text), null, `${bundle} has a character above U+00FF`);
  }
});
