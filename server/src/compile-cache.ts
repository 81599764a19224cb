// Loads our bundles (the CLI, the language server, the TypeScript compiler) through V8's code
// cache, so that every run after the first skips compiling them: 30-80 ms of a CLI run on a spec,
// 120 ms of one on route code, which loads the compiler (bench/RESULTS.md). Node 22 has this
// built in (`module.enableCompileCache`); Node 20, which VS Code 1.100's extension host and our CI
// run, does not, so this is the same idea with `vm.Script`'s `cachedData`.
//
// The cache is an optimisation only: any failure to read or write it falls back to compiling, and
// V8 itself rejects data made by another V8 version or with other flags.
import { Script } from 'node:vm';
import { Module, createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Scripts whose cache is to be written when the process exits, once their code has run. */
const unwritten: Array<{ script: Script; cacheFile: CacheFile }> = [];

/**
 * `<bundle>-<hash of its content>.v8` in the cache folder. Data V8 refuses (made by another Node
 * version, or with other V8 flags) is written again: one file per bundle, whatever runs it.
 */
interface CacheFile {
  directory: string;
  bundle: string;
  contentKey: string;
  path: string;
}

/**
 * `require(file)` for a CommonJS bundle of ours, compiled from the code cache when there is a
 * usable one. The cache is written at exit, after the run, so it also holds the functions V8
 * compiled lazily while running: those are most of the compile time.
 */
export function requireWithCompileCache(file: string): any {
  const loaded = require.cache[file];
  if (loaded) return loaded.exports;
  const directory = compileCacheDirectory();
  if (!directory) return require(file);
  const bytes = readFileSync(file);
  const bundle = basename(file, '.js');
  const contentKey = hashOf(bytes);
  const cacheFile = { directory, bundle, contentKey, path: join(directory, `${bundle}-${contentKey}.v8`) };
  const cachedData = readOwnFile(cacheFile.path);
  // The wrapper CommonJS puts around a file, on the file's first line so line numbers stay the
  // same (a `#!` line becomes a comment). Joined as bytes and decoded once: a string joined from
  // the file's text would leave that text (9 MB for the compiler) as garbage in the old heap.
  const start = bytes[0] === 0x23 && bytes[1] === 0x21 ? WRAPPER_START_COMMENTING_OUT : WRAPPER_START;
  const wrapped = Buffer.concat([start, bytes, WRAPPER_END]).toString('utf8');
  const script = new Script(wrapped, { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) rememberToWrite(script, cacheFile);
  const module = new Module(file, require.main);
  module.filename = file;
  require.cache[file] = module;
  try {
    script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

const WRAPPER_START = Buffer.from('(function (exports, require, module, __filename, __dirname) { ');
const WRAPPER_START_COMMENTING_OUT = Buffer.concat([WRAPPER_START, Buffer.from('//')]);
const WRAPPER_END = Buffer.from('\n})');

/**
 * Named by the content, not the path or time: V8 only checks the source's length, and a rebuild
 * can keep it.
 */
function hashOf(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

/**
 * Where the cache lives: `APILENS_COMPILE_CACHE` (a folder, or `off`), else the user's cache
 * folder. Never a shared temporary folder: code read from there would run as this user. In CI
 * (`CI` set, as every hosted CI sets it) only where `APILENS_COMPILE_CACHE` says: a fresh runner
 * would pay for writing a cache (+0.05 s on route code) that no later run reads.
 */
export function compileCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.APILENS_COMPILE_CACHE;
  if (setting !== undefined && /^(off|0|false|no)$/i.test(setting)) return undefined;
  if (setting) return isAbsolute(setting) ? setting : undefined;
  if (env.CI && !/^(0|false)$/i.test(env.CI)) return undefined;
  let base = env.XDG_CACHE_HOME;
  if (!base) {
    if (process.platform === 'win32') base = env.LOCALAPPDATA;
    else {
      let home = '';
      try { home = homedir(); } catch { /* no home folder: no cache */ }
      if (home) base = process.platform === 'darwin' ? join(home, 'Library', 'Caches') : join(home, '.cache');
    }
  }
  return base && isAbsolute(base) ? join(base, 'apilens', 'compile-cache') : undefined;
}

/** The file's bytes, if it exists and (where files have owners) belongs to this user. */
function readOwnFile(file: string): Buffer | undefined {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, 'r');
    if (process.getuid && fstatSync(descriptor).uid !== process.getuid()) return undefined;
    return readFileSync(descriptor);
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/**
 * At exit, or after half a minute for a process that runs longer (a language server, which an
 * editor may stop with a signal rather than an exit). A write is one pause of 10-20 ms.
 */
function rememberToWrite(script: Script, cacheFile: CacheFile): void {
  if (!writesAtExit) process.once('exit', () => unwritten.splice(0).forEach(writeCache));
  writesAtExit = true;
  const entry = { script, cacheFile };
  unwritten.push(entry);
  setTimeout(() => {
    const index = unwritten.indexOf(entry);
    if (index >= 0) writeCache(unwritten.splice(index, 1)[0]);
  }, WRITE_WHILE_RUNNING_AFTER_MS).unref();
}

const WRITE_WHILE_RUNNING_AFTER_MS = 30_000;
let writesAtExit = false;

/** Writes the cache whole (a temporary file renamed over), and removes the older ones it replaces. */
function writeCache({ script, cacheFile }: { script: Script; cacheFile: CacheFile }): void {
  const temporary = `${cacheFile.path}.${process.pid}.tmp`;
  try {
    mkdirSync(cacheFile.directory, { recursive: true, mode: 0o700 });
    // `wx`: a file (or a link) already at that name is never written through.
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(temporary, cacheFile.path);
    // Files of an older build of the same bundle are of no more use.
    for (const other of readdirSync(cacheFile.directory)) {
      const match = /^(.+)-([0-9a-f]{16})\.v8$/.exec(other);
      if (match && match[1] === cacheFile.bundle && match[2] !== cacheFile.contentKey) rmSync(join(cacheFile.directory, other), { force: true });
    }
  } catch {
    // A read-only or full disk: the next run compiles, as it would without a cache.
    try { rmSync(temporary, { force: true }); } catch { /* nothing was written */ }
  }
}
