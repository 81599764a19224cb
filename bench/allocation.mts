// Memory allocated per keystroke in the editor's analysis of a spec, and where: a number that does
// not move with the machine's noise, unlike latency. Every young-generation collection copies what
// is still alive, so what a keystroke allocates is what it will later pay for in collections.
//
//   node --import tsx bench/allocation.mts <spec.yaml|json> [edits]
//
// It runs the editor's path in-process (the chunked parser or whole parse with value reuse, then
// the analysis with the path-item memory), typing a letter into a `description` value at places
// spread through the document, and samples allocations (objects already collected included) over
// all but the first two edits.
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { ChunkedYamlParser } from '../server/src/core/spec/chunked-yaml.ts';
import { parseSpecDocument, type SpecDocument } from '../server/src/core/spec/document.ts';
import { EditorTextDocument } from '../server/src/lsp/editor-document.ts';
import { reuseUnchangedValues } from '../server/src/core/spec/value-reuse.ts';
import { analyzeFileAsync } from '../server/src/core/engine/analyze.ts';
import { DocumentMemory } from '../server/src/core/engine/document-memory.ts';
import { NodeWorkspaceHost } from '../server/src/host/node-host.ts';

const file = process.argv[2];
const edits = Number(process.argv[3] ?? 8);
if (!file || !(edits > 2)) {
  console.error('usage: node --import tsx bench/allocation.mts <spec.yaml|json> [edits > 2]');
  process.exit(2);
}
const uri = 'file://' + file;
const isJson = file.endsWith('.json');
const text = readFileSync(file, 'utf8');
// The editor's open document: changes are kept as offsets, and a large YAML document's chunked
// parser takes them, so the new version's text is never joined (as in the language server).
const document = EditorTextDocument.create(uri, isJson ? 'json' : 'yaml', 1, text);
const parser = isJson ? undefined : new ChunkedYamlParser({ keepsVersions: true });
const memory = new DocumentMemory();
const host = new NodeWorkspaceHost([file.replace(/\/[^/]*$/, '')]);
const session = new Session();
session.connect();
let previous: SpecDocument | undefined;
for (let edit = 0; edit < edits; edit++) {
  const marker = isJson ? '"description":"' : 'description: ';
  const found = previous ? previous.indexOf(marker, Math.floor((previous.lines.length * (edit + 0.5)) / edits)) : -1;
  if (previous && found >= 0) {
    const at = document.positionAt(found + marker.length);
    EditorTextDocument.update(document, [{ range: { start: at, end: at }, text: 'x' }], document.version + 1);
  }
  if (edit === 2) await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  const changes = previous && parser ? document.changesSince(document.version - 1) : undefined;
  const doc = parser ? (changes ? parser.parseEdits(uri, changes, () => document.getText()) : parser.parse(uri, text)) : parseSpecDocument(uri, document.getText(), 'json', previous);
  if (previous && !parser?.lastWasChunked) reuseUnchangedValues(previous.root, doc.root);
  previous = doc;
  await analyzeFileAsync({ uri, get text() { return doc.text; }, document: doc }, { host, memory });
}
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();

interface ProfileNode { callFrame: { functionName: string; url: string }; selfSize: number; children: ProfileNode[] }
const measured = edits - 2;
const bySite = new Map<string, number>();
let total = 0;
const walk = (node: ProfileNode, caller: string) => {
  // Built-ins (no file) are counted at the function that called them.
  // tsx serves some modules as data: URLs that carry their file name percent-encoded.
  const file = node.callFrame.url.replace(/%2F/gi, '/').match(/server\/src\/(.*?\.ts)/)?.[1];
  const here = file ? `${node.callFrame.functionName || '(anonymous)'} (${file})` : caller;
  const site = file ? here : `${node.callFrame.functionName || '(native)'} < ${caller}`;
  if (node.selfSize) { bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize); total += node.selfSize; }
  for (const child of node.children) walk(child, here);
};
walk(profile.head as ProfileNode, '(outside apilens)');
const mb = (bytes: number) => (bytes / measured / 1e6).toFixed(2);
console.log(`${file}: ${mb(total)} MB allocated per keystroke (${measured} keystrokes sampled)`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${mb(bytes).padStart(8)} MB  ${site}`);
