import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { applyEdits, collectFixAllEdits } from '../core/engine/fix-all';
import { URI } from 'vscode-uri';
import { analyzeFile } from '../core/engine/analyze';
import { detectFileKind } from '../core/detect';
import type { SpecDocument } from '../core/spec/document';
import { parseSpecDocumentFast } from '../core/spec/chunked-yaml';
import { checkInput } from '../core/engine/input-limits';
import { codeWorkspaceView, type CodeWorkspaceView } from '../core/engine/code-context';
import { extractRoutes, looksLikeRouteCode } from '../core/code/extract';
import { defaultConfig, type ApilensConfig } from '../core/engine/config';
import { allRules } from '../core/rules';
import { renderRuleDoc, renderRuleIndex } from '../core/docs';
import type { Diagnostic } from '../core/types';
import { NodeWorkspaceHost } from '../host/node-host';
import { findConfigFile, readConfigFile } from '../host/config-file';
import { collectFiles, readTextFile } from '../host/files';
import { formatJson, formatSarif, formatText, type OutputFormat } from './format';
import { version as VERSION } from '../../../package.json';

const USAGE = `Usage:
  apilens --help | --version
  apilens lint <files or folders...> [--format text|json|sarif] [--config <file>] [--root <dir>]
               [--fix | --fix-dry-run] [--exit-zero] [--stats <file>]
  apilens rules [--format text|json]
  apilens docs <output folder>

Exit codes: 0 no errors, 1 errors found (0 with --exit-zero), 2 usage or internal failure.
Settings: .apilens.yaml in the folder or above (rules: { <rule-id>: off|hint|info|warning|error }).`;

class UsageError extends Error {}

interface ParsedArgs { command: string; positional: string[]; options: Map<string, string | true> }

function parseArgs(argv: string[]): ParsedArgs {
  // `apilens --help` and `apilens --version` come without a command.
  const [command = '', ...rest] = argv[0]?.startsWith('-') ? ['', ...argv] : argv;
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const takesValue = new Set(['format', 'config', 'root', 'stats']);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '-h') { options.set('help', true); continue; }
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [name, inline] = arg.slice(2).split('=', 2);
    if (takesValue.has(name)) {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else if (['help', 'version', 'no-color', 'color', 'exit-zero', 'fix', 'fix-dry-run'].includes(name)) options.set(name, true);
    else throw new UsageError(`unknown option --${name}`);
  }
  return { command, positional, options };
}

export function run(argv: string[], cwd = process.cwd(), stdout = (s: string) => process.stdout.write(s + '\n')): number {
  const args = parseArgs(argv);
  if (args.options.has('help') || args.command === 'help') { stdout(USAGE); return 0; }
  if (args.options.has('version') || args.command === 'version') { stdout(VERSION); return 0; }
  if (args.command === '') { stdout(USAGE); return 2; }
  switch (args.command) {
    case 'lint': return lint(args, cwd, stdout);
    case 'rules': return listRules(args, stdout);
    case 'docs': return writeDocs(args, cwd, stdout);
    default: throw new UsageError(`unknown command '${args.command}'`);
  }
}

function lint(args: ParsedArgs, cwd: string, stdout: (s: string) => void): number {
  const format = (args.options.get('format') ?? 'text') as OutputFormat;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format '${format}' (text, json or sarif)`);
  if (args.positional.length === 0) throw new UsageError('lint needs at least one file or folder');
  const root = resolve(cwd, String(args.options.get('root') ?? cwd));
  const files = collectFiles(args.positional.map((p) => resolve(cwd, p)));
  const config = loadConfig(args, cwd, root);
  // Without --config, a file's nearest .apilens.yaml (up to the root) applies, as in the editor:
  // each service of a monorepo can pair its own spec and code.
  const configsByDir = new Map<string, ApilensConfig>();
  const configFor = (file: string): ApilensConfig => {
    if (args.options.has('config')) return config;
    const dir = dirname(file);
    let found = configsByDir.get(dir);
    if (!found) {
      const path = (dir + sep).startsWith(root + sep) ? findConfigFile(dir, root) : undefined;
      try {
        found = path ? readConfigFile(path) : config;
      } catch (error) {
        throw new UsageError(`cannot read config: ${(error as Error).message}`);
      }
      configsByDir.set(dir, found);
    }
    return found;
  };
  // The workspace is the root plus any folder given outside it: $refs never leave these.
  const roots = [root, ...args.positional.map((p) => resolve(cwd, p)).filter((p) => !(p + sep).startsWith(root + sep))];
  const host = new NodeWorkspaceHost(roots, config.maxFileSize);
  // One workspace view for the run: every spec parsed once, the route code extracted once, shared by
  // the analysis of every file (drift needs both sides).
  const texts = new Map<string, string>();
  const specs = new Map<string, SpecDocument>();
  // Without route code there is no drift to compare: each spec is parsed when its turn comes and
  // dropped after, so a batch of hundreds of documents does not hold them all in memory.
  const hasCode = files.some((file) => /\.(ts|mts|cts|js|mjs|cjs)$/i.test(file));
  for (const file of files) {
    const uri = URI.file(file).toString();
    const text = host.readFile(uri) ?? safeRead(file);
    if (text === undefined) continue;
    texts.set(uri, text);
    const kind = detectFileKind(file, text);
    if (hasCode && kind.kind === 'spec' && text.length <= config.maxFileSize && !checkInput(text)) {
      try { specs.set(uri, parseSpecDocumentFast(uri, text, kind.format)); } catch { /* reported by analyzeFile */ }
    }
  }
  let view: CodeWorkspaceView | undefined;
  const codeWorkspace = () => (view ??= codeWorkspaceView(extractRoutes([...texts].filter(([uri, text]) => /\.(ts|mts|cts|js|mjs|cjs)$/i.test(uri) && looksLikeRouteCode(text)).map(([path, text]) => ({ path, text }))), [...specs.values()]));
  const fixMode = args.options.has('fix') ? 'write' : args.options.has('fix-dry-run') ? 'dry-run' : undefined;
  const diagnostics: Diagnostic[] = [];
  const stats: { file: string; kind: string; ms: number; diagnostics: number; skippedRules: string[] }[] = [];
  for (const file of files) {
    const uri = URI.file(file).toString();
    const text = texts.get(uri);
    if (text === undefined) continue;
    const started = performance.now();
    const analyse = (content: string) => {
      // A fix pass changed this file: later passes (and later files) must see the new code.
      if (content !== texts.get(uri)) {
        texts.set(uri, content);
        const spec = specs.get(uri);
        if (spec) specs.set(uri, parseSpecDocumentFast(uri, content, spec.format));
        view = undefined;
      }
      return analyzeFile({ uri, text: content }, {
        host, config: configFor(file), codeWorkspace, log: (message) => process.stderr.write(message + '\n'),
        openDocument: (candidate) => specs.get(candidate),
      });
    };
    let result = analyse(text);
    if (fixMode) {
      const fixed = fixFile(text, result, uri, analyse);
      if (fixed.text !== text) {
        if (fixMode === 'write') writeFileSync(file, fixed.text);
        else stdout(createTwoFilesPatch(displayName(file, cwd), displayName(file, cwd), text, fixed.text, 'before', 'after apilens --fix').trimEnd());
      }
      result = fixed.result;
    }
    stats.push({ file, kind: result.kind.kind, ms: Math.round(performance.now() - started), diagnostics: result.diagnostics.length, skippedRules: result.skippedRules });
    // Keep what the output needs, not the fix closures: they hold the whole parsed document.
    diagnostics.push(...result.diagnostics.map((d) => (d.fix ? { ...d, fix: { title: d.fix.title, isPreferred: d.fix.isPreferred, edits: () => [] } } : d)));
  }
  const statsFile = args.options.get('stats');
  if (typeof statsFile === 'string') writeFileSync(resolve(cwd, statsFile), JSON.stringify({ files: stats }, null, 1));
  if (format === 'json') stdout(formatJson(diagnostics, cwd));
  else if (format === 'sarif') stdout(formatSarif(diagnostics, allRules, cwd, VERSION));
  else stdout(formatText(diagnostics, cwd, !args.options.has('no-color') && !!process.stdout.isTTY));
  if (args.options.has('exit-zero')) return 0;
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/** ESLint-style passes: apply every non-overlapping preferred fix, re-analyse, repeat (at most 10). */
function fixFile(text: string, initial: ReturnType<typeof analyzeFile>, uri: string, analyse: (text: string) => ReturnType<typeof analyzeFile>) {
  let current = text;
  let result = initial;
  for (let pass = 0; pass < 10; pass++) {
    const edits = collectFixAllEdits(result.diagnostics).filter((edit) => edit.uri === uri);
    if (edits.length === 0) break;
    const next = applyEdits(current, edits);
    if (next === current) break;
    current = next;
    result = analyse(current);
  }
  return { text: current, result };
}

function displayName(file: string, cwd: string): string {
  return relative(cwd, file).split(sep).join('/') || file;
}

function safeRead(file: string): string | undefined {
  try {
    return readTextFile(file);
  } catch {
    return undefined;
  }
}

function loadConfig(args: ParsedArgs, cwd: string, root: string): ApilensConfig {
  const explicit = args.options.get('config');
  const path = typeof explicit === 'string' ? resolve(cwd, explicit) : findConfigFile(cwd, root);
  if (!path) return defaultConfig();
  try {
    return readConfigFile(path);
  } catch (error) {
    throw new UsageError(`cannot read config: ${(error as Error).message}`);
  }
}

function listRules(args: ParsedArgs, stdout: (s: string) => void): number {
  const rules = allRules.map((rule) => ({ id: rule.id, severity: rule.severity, description: rule.description, appliesTo: rule.appliesTo, fixable: rule.fixable }));
  if (args.options.get('format') === 'json') stdout(JSON.stringify({ rules }, null, 2));
  else for (const rule of rules) stdout(`${rule.id.padEnd(34)} ${rule.severity.padEnd(8)} ${rule.appliesTo.join(',').padEnd(18)} ${rule.description}`);
  return 0;
}

function writeDocs(args: ParsedArgs, cwd: string, stdout: (s: string) => void): number {
  const out = resolve(cwd, args.positional[0] ?? 'docs/rules');
  mkdirSync(out, { recursive: true });
  for (const rule of allRules) writeFileSync(join(out, `${rule.id}.md`), renderRuleDoc(rule));
  writeFileSync(join(out, 'README.md'), renderRuleIndex(allRules));
  stdout(`wrote ${allRules.length} rule docs to ${out}`);
  return 0;
}

export function main(): void {
  let code: number;
  try {
    code = run(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && /no such file/.test(error.message))) {
      process.stderr.write(`apilens: ${error.message}\n\n${USAGE}\n`);
    } else {
      process.stderr.write(`apilens: internal error: ${(error as Error)?.stack ?? error}\n`);
    }
    code = 2;
  }
  process.exitCode = code;
}

if (require.main === module) main();

