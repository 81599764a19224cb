// Editor latency: drives dist/server.js over stdio like an editor and times didChange -> diagnostics.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

export async function measureLatency({ root, work, githubYaml, specs = [] }) {
  const require = createRequire(join(root, 'package.json'));
  const rpc = require('vscode-jsonrpc/node');
  mkdirSync(work, { recursive: true });
  // Each document gets a folder of its own: the server treats the folder as the workspace, and
  // beside the benchmark's other documents (or its 500 batch documents) the route file would be
  // matched against all of them, and every spec would be indexed, which measures a different thing.
  const alone = (file, name) => {
    const folder = join(work, 'latency', name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
    mkdirSync(folder, { recursive: true });
    const target = join(folder, basename(file));
    copyFileSync(file, target);
    return target;
  };
  const routerFolder = join(work, 'latency', 'router');
  mkdirSync(routerFolder, { recursive: true });
  const router = join(routerFolder, 'router-2000.ts');
  writeFileSync(router, generateRouter(2000));
  const targets = [
    githubYaml && { name: 'GitHub REST YAML (10 MB)', file: alone(githubYaml, 'github'), languageId: 'yaml' },
    ...specs.map(({ name, file }) => ({ name: `${name} (${(readFileSync(file).length / 1e6).toFixed(2)} MB)`, file: alone(file, name), languageId: file.endsWith('.json') ? 'json' : 'yaml' })),
    { name: 'Express router, 2,000 lines', file: router, languageId: 'typescript' },
    ...(githubYaml ? besideEachOther(router, githubYaml, work) : []),
  ].filter(Boolean);
  const results = [];
  for (const target of targets) {
    const measured = await measureOne(rpc, root, target);
    // A server of its own that opens the document and then only sits idle: the memory it holds
    // with the document open, once V8 has given back what the opening analysis needed.
    const { rssIdleMb: rssOpenIdleMb } = target.alsoOpen ? { rssIdleMb: undefined } : await measureOne(rpc, root, target, { openAndIdleOnly: true });
    results.push({ ...measured, rssOpenIdleMb });
  }
  return results;
}

/**
 * The route file in one folder with GitHub's description, both open: what apilens is for (the spec
 * and the code, and the drift between them). An edit of either file also has the other analysed
 * again for drift, in the same server. Measured both ways: typing in the route file, and typing in
 * the description.
 */
function besideEachOther(router, githubYaml, work) {
  const folder = join(work, 'latency', 'router-beside-github');
  mkdirSync(folder, { recursive: true });
  const routerCopy = join(folder, basename(router));
  const githubCopy = join(folder, basename(githubYaml));
  copyFileSync(router, routerCopy);
  copyFileSync(githubYaml, githubCopy);
  return [
    { name: "Express router, 2,000 lines, beside GitHub's description (both open)", file: routerCopy, languageId: 'typescript', alsoOpen: githubCopy },
    { name: 'GitHub REST YAML (10 MB), beside the router (both open)', file: githubCopy, languageId: 'yaml', alsoOpen: routerCopy },
  ];
}

export function serverNodeFlags(root) {
  return JSON.parse(readFileSync(join(root, 'client/src/server-node-flags.json'), 'utf8'));
}

async function measureOne(rpc, root, { name, file, languageId, alsoOpen }, { openAndIdleOnly = false } = {}) {
  // The server starts with the node flags the extension gives it (client/src/server-node-flags.json);
  // APILENS_SERVER_ARGS adds more (for example `--cpu-prof` to profile it).
  const serverArgs = [...serverNodeFlags(root), ...(process.env.APILENS_SERVER_ARGS ? process.env.APILENS_SERVER_ARGS.split(' ') : [])];
  const server = spawn(process.execPath, [...serverArgs, join(root, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
  const waiting = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    const resolve = waiting.get(params.version);
    if (resolve) { waiting.delete(params.version); resolve(performance.now()); }
  });
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({ enable: true, rules: {}, debounceMs: 0, maxFileSize: 64 * 1024 * 1024 })));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const uri = pathToFileURL(file).toString();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(join(file, '..')).toString(), capabilities: { workspace: { configuration: true } } });
  await connection.sendNotification('initialized', {});
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (alsoOpen) {
    // Opened first, under a version of its own (5000) that the measured document never reaches.
    const alsoOpened = new Promise((resolve) => waiting.set(ALSO_OPEN_VERSION, resolve));
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: pathToFileURL(alsoOpen).toString(), languageId: alsoOpen.endsWith('.ts') ? 'typescript' : 'yaml', version: ALSO_OPEN_VERSION, text: readFileSync(alsoOpen, 'utf8') } });
    await withTimeout(alsoOpened, 300_000);
  }
  const text = readFileSync(file, 'utf8');
  const opened = new Promise((resolve) => waiting.set(1, resolve));
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  await withTimeout(opened, 300_000);
  const rssAfterOpenMb = rssOf(server.pid);
  const stop = async () => {
    // A clean exit, so a server started with --cpu-prof writes its profile.
    await connection.sendRequest('shutdown').catch(() => undefined);
    await connection.sendNotification('exit').catch(() => undefined);
    await new Promise((resolve) => { server.on('exit', resolve); setTimeout(resolve, 10_000); });
    connection.dispose();
    server.kill();
  };
  if (openAndIdleOnly) {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const rssIdleMb = rssOf(server.pid);
    await stop();
    return { rssIdleMb };
  }
  // `lines` is the document as the server holds it, so that edits typed later in the same document
  // land where they are meant to (inside a string value of minified JSON, not beside it).
  const typeEdits = async (firstVersion, lines = text.split('\n')) => {
    const samples = [];
    for (let i = 0; i < 50; i++) {
      // A single character typed at places spread through the document: in YAML a letter at the end
      // of a scalar value; in code a space at the end of a line; in a document of few long lines
      // (minified JSON) a space at the start of a string value, so that the edits do not all land at
      // the end of the file.
      const { line, character } = languageId === 'yaml' ? endOfScalarValue(lines, i) : lines.length >= 100 ? endOfLine(lines, i) : insideStringValue(lines, i);
      const typed = languageId === 'yaml' ? 'x' : ' ';
      lines[line] = lines[line].slice(0, character) + typed + lines[line].slice(character);
      const version = firstVersion + i + 1;
      const published = new Promise((resolve) => waiting.set(version, resolve));
      const started = performance.now();
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: typed }] });
      const finished = await withTimeout(published, 300_000);
      samples.push(finished - started);
    }
    return { samples, lines };
  };
  const { samples } = await typeEdits(1);
  const rssAfterEditsMb = rssOf(server.pid);
  // The same document closed and opened again in the same server, and the same edits typed: the
  // server's code is now compiled and optimised by V8, as in an editor that has been running a
  // while. The first edits after a server starts run code V8 has not optimised yet.
  await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  const reopened = new Promise((resolve) => waiting.set(1000, resolve));
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1000, text } });
  await withTimeout(reopened, 300_000);
  const { samples: warm, lines: reopenedLines } = await typeEdits(1000);
  // An editor holding a document open is idle most of the time: what the server holds then, once V8
  // has had the idle seconds it waits before it gives memory back (its memory reducer), and how the
  // next edits fare after that pause.
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const rssIdleMb = rssOf(server.pid);
  const { samples: afterPause } = await typeEdits(2000, reopenedLines);
  await stop();
  if (process.env.APILENS_LATENCY_SAMPLES) console.error(name, samples.map(Math.round).join(' '), '| reopened:', warm.map(Math.round).join(' '), '| after the pause:', afterPause.map(Math.round).join(' '));
  const pick = (values, q) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  };
  return {
    name, p50: pick(samples, 0.5), p95: pick(samples, 0.95), max: pick(samples, 1), rssAfterOpenMb, rssAfterEditsMb,
    reopened: { p50: pick(warm, 0.5), p95: pick(warm, 0.95), max: pick(warm, 1) },
    rssIdleMb, afterPause: { p50: pick(afterPause, 0.5), p95: pick(afterPause, 0.95), max: pick(afterPause, 1) },
  };
}

export const IDLE_MS = 20_000;
const ALSO_OPEN_VERSION = 5000;

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
  } catch {
    return -1;
  }
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`no diagnostics after ${ms} ms`)), ms))]);
}

/** A realistic Express router: many routes with validation, statuses and store calls. */
export function generateRouter(targetLines) {
  const out = ["import { Router } from 'express';", "import { prisma } from './db';", "import { requireAuth, validate } from './middleware';", '', 'export const router = Router();', ''];
  let i = 0;
  while (out.length < targetLines) {
    out.push(
      `router.get('/items${i}/:id', requireAuth, async (req, res) => {`,
      `  const item = await prisma.item${i}.findUnique({ where: { id: req.params.id } });`,
      '  if (!item) {',
      `    res.status(404).json({ type: 'about:blank', title: 'Not found', status: 404 });`,
      '    return;',
      '  }',
      '  res.json(item);',
      '});',
      '',
      `router.post('/items${i}', requireAuth, validate(schema${i}), async (req, res) => {`,
      `  const created = await prisma.item${i}.create({ data: req.body });`,
      `  res.status(201).location(\`/items${i}/\${created.id}\`).json(created);`,
      '});',
      '',
    );
    i++;
  }
  return out.join('\n') + '\n';
}

/** The end of the line at fraction (i + 0.5) / 50 of the document. */
function endOfLine(lines, i) {
  const line = Math.floor(((i + 0.5) / 50) * (lines.length - 1));
  return { line, character: lines[line].length };
}

/**
 * YAML: the end of the first `key: value` line with a plain scalar value at or after fraction
 * (i + 0.5) / 50 of the document, where a typed letter changes the value. (A space at the end of
 * any line, as typed before, mostly changed nothing: YAML drops trailing blanks of plain scalars.)
 */
function endOfScalarValue(lines, i) {
  const first = Math.floor(((i + 0.5) / 50) * (lines.length - 1));
  for (let line = first; line < lines.length; line++) {
    const text = lines[line];
    if (/:[ \t]+[^ \t'"|>#&*!{[%@`-][^#]*$/.test(text) && !/[:'"]$/.test(text.trimEnd())) return { line, character: text.length };
  }
  return endOfLine(lines, i);
}

/** Just inside the first string value (`"key":"|`) after fraction (i + 0.5) / 50 of the document. */
function insideStringValue(lines, i) {
  const starts = [];
  let offset = 0;
  for (const line of lines) { starts.push(offset); offset += line.length + 1; }
  const text = lines.join('\n');
  const from = Math.floor(((i + 0.5) / 50) * text.length);
  const match = /":\s*"/g;
  match.lastIndex = from;
  const found = match.exec(text);
  const at = found ? found.index + found[0].length : text.length;
  let line = starts.length - 1;
  while (line > 0 && starts[line] > at) line--;
  return { line, character: at - starts[line] };
}
