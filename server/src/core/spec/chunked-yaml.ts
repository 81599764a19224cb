import { LineIndex, commonAffixes, type OffsetRange, type TextInPieces } from '../text';
import type { JsonPath } from '../types';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { BlockLocator, scanLines, type Lines } from './block-locator';
import { parseSpecDocument, versionFamily, type DocumentFormat, type Nesting, type SpecDocument, type SyntaxProblem } from './document';
import { maxNesting } from '../engine/input-limits';
import { sameValue } from './value-reuse';

/**
 * Incremental parsing of large YAML documents for the editor. The text is cut into chunks along
 * block-mapping entries (top-level keys, then the entries of big maps such as `paths` and
 * `components.schemas`), each chunk is parsed on its own and cached by its text, and the document
 * is assembled from them. An edit changes one chunk, so typing in a 10 MB description re-parses a
 * few kilobytes instead of the whole file.
 *
 * The cut is only made where it cannot change the meaning: block-mapping keys at a known column
 * whose value is a nested block. Documents with directives or several documents are parsed whole
 * (`split` returns undefined), and so is a document where an alias refers to an anchor in
 * another chunk (the chunk reports the alias as unresolved).
 */
const CHUNK_BYTES = 16 * 1024;
const KEY_LINE = /^( *)(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{}[\],&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?))[ \t]*:(?:[ \t]+#.*|[ \t]*)$/;

interface Entry {
  key: string;
  /** Offsets of the whole entry (key line to the start of the next entry). */
  start: number;
  end: number;
  keySpan: OffsetRange;
  children?: Entry[];
  /** With children: the text before the first child (the key line), an own copy. */
  head?: string;
}


/**
 * One-shot parse for hosts that read a document once (the CLI, the workspace index, $ref targets):
 * large YAML goes through the chunked parser, whose chunks build their positioned trees lazily.
 */
export function parseSpecDocumentFast(uri: string, text: string, format: DocumentFormat): SpecDocument {
  return format === 'yaml' && text.length > CHUNK_BYTES ? new ChunkedYamlParser().parse(uri, text) : parseSpecDocument(uri, text, format);
}

/** An edit of the previous version: its [start, end) replaced by `text`. */
export interface TextChange { start: number; end: number; text: string }

/** Parsed chunks by their text: the chunks of one version. */
interface ChunkCache {
  get(text: string): SpecDocument | undefined;
  set(text: string, chunk: SpecDocument): unknown;
  delete(text: string): unknown;
}

/**
 * What an edit changes in the cache (a chunk or two of thousands), kept aside and applied when the
 * whole edit went through: copying the cache for each keystroke cost megabytes.
 */
class ChunkCacheEdit implements ChunkCache {
  private readonly added = new Map<string, SpecDocument>();
  private readonly removed = new Set<string>();
  constructor(private readonly cache: Map<string, SpecDocument>) {}
  get(text: string): SpecDocument | undefined {
    return this.added.get(text) ?? (this.removed.has(text) ? undefined : this.cache.get(text));
  }
  set(text: string, chunk: SpecDocument): void {
    this.removed.delete(text);
    if (this.cache.get(text) !== chunk) this.added.set(text, chunk);
  }
  delete(text: string): void {
    this.added.delete(text);
    this.removed.add(text);
  }
  apply(): void {
    for (const text of this.removed) this.cache.delete(text);
    for (const [text, chunk] of this.added) this.cache.set(text, chunk);
  }
}

/** What the parser keeps of the version it parsed last. */
interface ParsedVersion {
  length: number;
  entries: Entry[];
  leaves: Map<Entry, SpecDocument>;
  lines: LineIndex;
  /** After edits to the version last assembled: the entries whose content changed (edited chunks and the entries holding them). */
  edited?: Set<Entry>;
}

export class ChunkedYamlParser {
  private cache = new Map<string, SpecDocument>();

  /**
   * `keepsVersions`: the parser is reused for every version of an open document (the editor), so
   * chunks are parsed from copies that do not keep the whole text of past versions alive.
   */
  constructor(private readonly options: { keepsVersions?: boolean } = {}) {}

  /** False when the last text was parsed whole (small, or not cut): its values are all new objects. */
  lastWasChunked = false;
  /** How many versions were parsed by reusing the previous cut (for tests and measurements). */
  editsReused = 0;
  /** How many times a version handed over as edits was joined into one text (for tests and measurements). */
  textsJoined = 0;
  /** The previous version, so that an edit inside one chunk needs neither a new cut nor a new line scan. */
  private previous?: ParsedVersion;
  /**
   * The editor's previous document: its root hands back unchanged objects assembled from several
   * chunks, and its text is what `parse` compares a new text with.
   */
  private lastDocument?: SpecDocument;

  /** Parses `text`, reusing every chunk whose text did not change since the previous call. */
  parse(uri: string, text: string): SpecDocument {
    if (this.previous && this.options.keepsVersions && text.length > CHUNK_BYTES) {
      const { prefix, suffix } = commonAffixes(this.lastDocument!.text, text);
      const edited = this.parseChanges(uri, [{ start: prefix, end: this.previous.length - suffix, text: text.slice(prefix, text.length - suffix) }], text);
      if (edited) return edited;
    }
    return this.parseWhole(uri, text);
  }

  /**
   * The editor's path: `changes` turn the previously parsed version into the new one, in order.
   * When each lies inside one chunk, the new text is never joined (the document's `text` joins its
   * pieces when first read); otherwise `wholeText()` is parsed afresh.
   */
  parseEdits(uri: string, changes: readonly TextChange[], wholeText: () => string): SpecDocument {
    return (this.previous && this.options.keepsVersions ? this.parseChanges(uri, changes) : undefined) ?? this.parse(uri, wholeText());
  }

  private parseWhole(uri: string, text: string): SpecDocument {
    this.previous = undefined;
    this.lastWasChunked = true;
    const scanned = text.length > CHUNK_BYTES && text.charCodeAt(0) !== 0xfeff ? scanLines(text) : undefined;
    const entries = scanned && split(text, scanned);
    if (!entries) return this.parsedWithoutChunks(uri, text);
    const next = new Map<string, SpecDocument>();
    const leaves = new Map<Entry, SpecDocument>();
    const visit = (list: Entry[]) => {
      for (const entry of list) {
        if (entry.children) { visit(entry.children); continue; }
        const parsed = this.leafFor(uri, text.slice(entry.start, entry.end), next);
        leaves.set(entry, parsed);
      }
    };
    visit(entries);
    if ([...leaves.values()].some(refersAcrossChunks)) return this.parsedWithoutChunks(uri, text);
    this.cache = next;
    // The editor's document is held in pieces (the chunks' own copies) from its first version on:
    // the text handed in, which the open document drops once parsed, is then not kept twice.
    const inPieces = this.options.keepsVersions && !text.includes('\r');
    const held: { document?: SpecDocument } = {};
    // The cut's line scan found the line starts already (a carriage return makes them differ).
    const knownStarts = text.includes('\r') ? undefined : scanned!.lineStarts();
    const parsed: ParsedVersion = { length: text.length, entries, leaves, lines: new LineIndex(text, knownStarts, undefined, inPieces ? piecesOf(held) : undefined) };
    return held.document = this.assembled(uri, parsed, inPieces ? undefined : text);
  }

  private parsedWithoutChunks(uri: string, text: string): SpecDocument {
    this.lastWasChunked = false;
    this.cache.clear();
    this.lastDocument = undefined;
    return parseSpecDocument(uri, text, 'yaml');
  }

  /** `text`: the version's text when the caller has it; otherwise the document joins its pieces when read. */
  private assembled(uri: string, parsed: ParsedVersion, text: string | undefined): SpecDocument {
    // The previous version had no syntax error: then no chunk it kept has one, and only the edited
    // entries need building again.
    const edited = this.lastDocument?.syntaxErrors.length === 0 ? parsed.edited : undefined;
    const document = assemble(uri, text, parsed.entries, parsed.leaves, parsed.lines, this.lastDocument?.root as Record<string, unknown> | undefined, () => this.textsJoined++, edited, this.options.keepsVersions);
    if (this.options.keepsVersions) {
      this.previous = parsed;
      this.lastDocument = document;
    }
    return document;
  }

  /** The changes applied one by one to the previous cut, or undefined when one needs a new cut. */
  private parseChanges(uri: string, changes: readonly TextChange[], text?: string): SpecDocument | undefined {
    // Line indexes read the text only for what line starts cannot tell (a line's content); they
    // then read the new document's, joined once.
    const held: { document?: SpecDocument } = {};
    const textOf = text ?? piecesOf(held);
    let version = this.previous!;
    // The cache is changed only if every change applies: a failed edit leaves it as it was.
    const next = new ChunkCacheEdit(this.cache);
    for (const change of changes) {
      const edited = this.applyChange(uri, version, change, next, textOf, version === this.previous ? undefined : version.edited);
      if (!edited) return undefined;
      version = edited;
    }
    next.apply();
    this.lastWasChunked = true;
    this.editsReused++;
    return held.document = this.assembled(uri, version, text);
  }

  /** The cached chunk for this text, or a new one; recorded in `next` (the cache of this version). */
  private leafFor(uri: string, slice: string, next: ChunkCache): SpecDocument {
    // A slice (and every scalar js-yaml cuts from it) points into the whole text; a cached chunk
    // would keep each past version of a 10 MB document alive. The editor parses an own copy.
    const parsed = this.cache.get(slice) ?? next.get(slice) ?? (this.options.keepsVersions ? lazyLeaf(uri, detached(slice), true) : lazyLeaf(uri, slice));
    // Keyed by the chunk's own text, never by `slice`, which would keep the whole text alive.
    next.set(parsed.text, parsed);
    return parsed;
  }

  /**
   * The common case of typing: the edit lies inside the body of one chunk and keeps it one entry
   * of the same key and the same kind (too small to cut, or not cuttable). Then the cut of the
   * previous version is reused with shifted offsets, every other chunk keeps its parsed value,
   * and only the edited chunk is read again, from its own text. Anything else (a key line, a new
   * sibling, a chunk crossing the cutting size) is cut afresh by the caller.
   */
  private applyChange(uri: string, previous: ParsedVersion, change: TextChange, next: ChunkCache, text: string | TextInPieces, editedBefore: Set<Entry> | undefined): ParsedVersion | undefined {
    const { start, end: oldEnd } = change;
    const delta = change.text.length - (oldEnd - start);
    const length = previous.length + delta;
    if (start < 0 || oldEnd < start || oldEnd > previous.length || length <= CHUNK_BYTES) return undefined;
    // A byte order mark makes the document one the cut does not handle.
    if (start === 0 && change.text.charCodeAt(0) === 0xfeff) return undefined;
    // Line starts after a carriage return depend on the next character: such a text is read whole.
    if (typeof text !== 'string' && (previous.lines.hasCarriageReturns || change.text.includes('\r'))) return undefined;
    const path: Entry[] = [];
    let list: Entry[] | undefined = previous.entries;
    let leaf: Entry | undefined;
    while (list && !leaf) {
      const entry: Entry | undefined = list.find((candidate) => candidate.start <= start && oldEnd < candidate.end);
      if (!entry) return undefined;
      if (entry.children) { path.push(entry); list = entry.children; } else leaf = entry;
    }
    if (!leaf) return undefined;
    // The chunk's text before and after the edit, with offsets relative to the chunk.
    const before = previous.leaves.get(leaf)!.text;
    const local = start - leaf.start;
    const after = before.slice(0, local) + change.text + before.slice(oldEnd - leaf.start);
    const localEnd = local + change.text.length;
    const keyStart = leaf.keySpan.start - leaf.start;
    const keyEnd = leaf.keySpan.end - leaf.start;
    // The key must stay as it is: the edit starts after the line break that ends the key line, or
    // on the key line after `key: ` (the line then stays a key line of the same key, with or
    // without an inline value, so the cut of its parent does not change).
    const keyLineEnd = before.indexOf('\n', keyEnd);
    if (keyLineEnd < 0) return undefined;
    const onKeyLine = local <= keyLineEnd;
    if (onKeyLine && !editsAfterKeyColon(before, after, keyEnd, local)) return undefined;
    // Every line the edit touched must stay inside the entry: indented deeper than its key, or
    // blank (the key line itself is checked above). A chunk starts at a line start.
    const keyIndent = keyStart - (before.lastIndexOf('\n', keyStart - 1) + 1);
    const firstTouched = onKeyLine ? after.indexOf('\n', local) + 1 : local === 0 ? 0 : after.lastIndexOf('\n', local - 1) + 1;
    const lastTouched = after.indexOf('\n', localEnd);
    const touchedEnd = lastTouched < 0 ? after.length : lastTouched;
    if (firstTouched > 0 && firstTouched <= touchedEnd) {
      const touched = scanLines(after.slice(firstTouched, touchedEnd));
      for (let i = 0; i < touched.length; i++) if (!touched.blank(i) && touched.indent(i) <= keyIndent) return undefined;
    }
    // A chunk other than the last must still end in a line break.
    if (leaf.end !== previous.length && after.charCodeAt(after.length - 1) !== 10) return undefined;
    // A fresh cut would make different chunks when a size crosses the cutting threshold.
    if (after.length > CHUNK_BYTES && cuttable(after, keyStart, keyIndent)) return undefined;
    for (const parent of path) if (parent.end - parent.start + delta <= CHUNK_BYTES) return undefined;

    const parsed = this.leafFor(uri, after, next);
    if (refersAcrossChunks(parsed)) return undefined;
    const leaves = new Map<Entry, SpecDocument>();
    const edited = new Set<Entry>();
    const onPath = new Set<Entry>(path);
    const shift = (list: Entry[]): Entry[] => list.map((entry) => {
      const moved: Entry = entry.start > start
        ? { key: entry.key, start: entry.start + delta, end: entry.end + delta, keySpan: { start: entry.keySpan.start + delta, end: entry.keySpan.end + delta } }
        : { key: entry.key, start: entry.start, end: entry.end > start ? entry.end + delta : entry.end, keySpan: entry.keySpan };
      if (entry === leaf || onPath.has(entry) || editedBefore?.has(entry)) edited.add(moved);
      if (entry.children) { moved.children = shift(entry.children); moved.head = entry.head; }
      else leaves.set(moved, entry === leaf ? parsed : previous.leaves.get(entry)!);
      return moved;
    });
    const entries = shift(previous.entries);
    // The cache keeps what this version uses: the edited chunk's old text is let go.
    if (before !== after) next.delete(before);
    const lines = LineIndex.afterEdit(previous.lines, start, oldEnd, change.text, text);
    return { length, entries, leaves, lines, edited };
  }
}

/** What is read once per chunk text (a chunk keeps its object while its text is unchanged). */
const chunkFacts = new WeakMap<SpecDocument, { nesting?: Nesting; searches: Map<string, number> }>();
function factsOf(leaf: SpecDocument) {
  let facts = chunkFacts.get(leaf);
  if (!facts) chunkFacts.set(leaf, facts = { searches: new Map() });
  return facts;
}

function nestingOf(leaf: SpecDocument): Nesting {
  const facts = factsOf(leaf);
  return facts.nesting ??= maxNesting(leaf.text);
}

function chunkIndexOf(leaf: SpecDocument, needle: string): number {
  const { searches } = factsOf(leaf);
  let found = searches.get(needle);
  if (found === undefined) searches.set(needle, found = leaf.text.indexOf(needle));
  return found;
}

/** The indentation unit of a YAML text: the first indented line's indentation. */
function indentUnitOf(text: string): number {
  return /\n( +)\S/.exec(text)?.[1].length ?? 2;
}

/** A chunk whose alias names an anchor in another chunk: the document must be parsed whole. */
function refersAcrossChunks(leaf: SpecDocument): boolean {
  return leaf.syntaxErrors.some((error) => /alias|anchor/i.test(error.message));
}

/**
 * True when an edit starting at `offset` leaves `key: ` of a key line (the key ending at `keyEnd`)
 * as it was: it starts after the colon, and a blank or the line's end follows the colon before and
 * after the edit, so the line stays a key line of the same key.
 */
function editsAfterKeyColon(before: string, after: string, keyEnd: number, offset: number): boolean {
  let colon = keyEnd;
  while (before[colon] === ' ' || before[colon] === '\t') colon++;
  if (before[colon] !== ':' || offset <= colon) return false;
  // A blank or the end of the line: `key:x` would be another key.
  const separates = (text: string) => colon + 1 >= text.length || ' \t\r\n'.includes(text[colon + 1]);
  return separates(before) && separates(after);
}

/** True when a fresh cut would split this entry's value into chunks of its own. */
function cuttable(entryText: string, keyOffset: number, keyIndent: number): boolean {
  const lines = scanLines(entryText);
  let keyLine = 0;
  while (keyLine < lines.length && lines.end(keyLine) < keyOffset) keyLine++;
  if (keyLine === lines.length) keyLine = -1;
  return !!childEntries(entryText, lines, keyLine, lines.length, keyIndent);
}

/**
 * The entries of the block under the key on line `keyLine` (lines up to `lastLine`), when that
 * block is a mapping that can be cut into two or more chunks; undefined for a sequence, a flow
 * collection or a block that cannot be cut.
 */
function childEntries(text: string, lines: Lines, keyLine: number, lastLine: number, keyIndent: number): Entry[] | undefined {
  let firstChild = keyLine + 1;
  while (firstChild < lastLine && lines.blank(firstChild)) firstChild++;
  if (firstChild >= lastLine || lines.indent(firstChild) <= keyIndent) return undefined;
  const first = text[lines.start(firstChild) + lines.indent(firstChild)];
  if (first === '-' || first === '{' || first === '[') return undefined;
  const children = splitBlock(text, lines, keyLine + 1, lastLine, lines.indent(firstChild));
  return children && children.length > 1 ? children : undefined;
}

/**
 * The text of `held.document` (assigned once the version is assembled), read through its pieces.
 * Made outside the parser's methods: a closure made there would share their scope, which may hold
 * the whole text this is to replace.
 */
function piecesOf(held: { document?: SpecDocument }): TextInPieces {
  return { whole: () => held.document!.text, slice: (start, end) => held.document!.slice(start, end) };
}

/**
 * The same characters in a string of their own (not a view into a larger string). A copy of part
 * of a two-byte string (a document with one emoji anywhere) is two bytes a character even when
 * every character fits in one; copied through latin1 it takes one. js-yaml's own copy of the
 * chunk, which its scalars point into, then takes one byte a character too. On GitHub's
 * description the chunks and js-yaml's copies held 31 MB as two-byte strings.
 */
function detached(text: string): string {
  if (!BEYOND_LATIN1.test(text)) return Buffer.from(text, 'latin1').toString('latin1');
  return (' ' + text).slice(1);
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

const YAML_OPTIONS = { schema: CORE_SCHEMA, json: false };

/**
 * js-yaml reads a copy of its input (it appends a terminating `\0`), and every scalar of 13
 * characters or more it returns is a view into that copy, which therefore lives as long as the
 * value. An editor's chunk kept its own text besides: the chunk's characters twice (10 MB on
 * GitHub's description). The chunk's text is taken from js-yaml's copy instead, through the
 * parse listener js-yaml hands its state to (removed after its first call, so it costs nothing per
 * node). When the copy is not what this expects (another js-yaml version), the chunk keeps its own.
 */
function loadSharingText(chunk: string): { value: unknown; text: string } {
  let copy: unknown;
  const listener = (_event: string, state: { input?: unknown; listener?: unknown }) => {
    copy = state.input;
    state.listener = null;
  };
  const value = loadYaml(chunk, { ...YAML_OPTIONS, listener });
  const isCopyOfChunk = typeof copy === 'string' && copy.length > chunk.length && copy.length <= chunk.length + 2 && copy.charCodeAt(copy.length - 1) === 0 && copy.startsWith(chunk.slice(0, 64)) && copy.endsWith(chunk.slice(-64), chunk.length);
  return { value, text: isCopyOfChunk ? (copy as string).slice(0, chunk.length) : chunk };
}

/**
 * A chunk whose value comes from js-yaml (no positions, several times faster than building the
 * positioned tree), whose positions come from its lines where the YAML is plain block style, and
 * whose positioned tree is built only when a rule asks where something the lines cannot tell is.
 * Most chunks of a large description never carry a finding, so most are never fully parsed. When
 * js-yaml rejects the chunk (a syntax error, a duplicate key, an alias to another chunk), the full
 * parser runs at once so its errors, with positions, are reported.
 */
function lazyLeaf(uri: string, chunk: string, keepsOneCopy = false): SpecDocument {
  let loaded: { value: unknown; text: string };
  try {
    loaded = keepsOneCopy ? loadSharingText(chunk) : { value: loadYaml(chunk, YAML_OPTIONS), text: chunk };
  } catch {
    return parseSpecDocument(uri, chunk, 'yaml');
  }
  const { value, text } = loaded;
  let full: SpecDocument | undefined;
  let locator: BlockLocator | undefined;
  const positioned = () => (full ??= parseSpecDocument(uri, text, 'yaml'));
  // Most findings sit on plain block keys: read those positions from lines and indentation, and
  // compose the chunk with `yaml` only for what that cannot answer.
  const lines = () => (locator ??= new BlockLocator(text));
  return {
    uri, text, slice: (start, end) => text.slice(start, end), indexOf: (needle, from) => text.indexOf(needle, from), format: 'yaml', root: value, syntaxErrors: [], indentUnit: 2,
    get lines() { return positioned().lines; },
    locate: (path, part) => lines().locate(path, part) ?? positioned().locate(path, part),
    has: (path) => lines().has(path) ?? positioned().has(path),
  };
}

/** The chunk tree, or undefined when the document must be parsed whole. */
export function split(text: string, lines = scanLines(text)): Entry[] | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  return splitBlock(text, lines, 0, lines.length, 0);
}

function splitBlock(text: string, lines: Lines, from: number, to: number, indent: number): Entry[] | undefined {
  const entries: Entry[] = [];
  const starts: { line: number; key: string; keySpan: OffsetRange; hasInlineValue: boolean }[] = [];
  for (let i = from; i < to; i++) {
    if (lines.blank(i)) continue;
    // A line indented deeper is the current entry's. So is a line less indented than the block, or
    // at its indentation but not a key (a stray character typed at the start of a line, a sequence
    // at its key's own indentation): that entry's chunk holds it, and its syntax error if it is one.
    // Failing the cut instead would parse the whole document on every keystroke until it is mended.
    if (lines.indent(i) !== indent) {
      if (starts.length === 0) return undefined;
      continue;
    }
    const lineStart = lines.start(i);
    const content = text.slice(lineStart, lines.end(i)).replace(/\r$/, '');
    const match = KEY_LINE.exec(content);
    if (!match) {
      // A key with an inline value (`openapi: 3.1.0`): a leaf entry, never split further.
      const inline = /^( *)(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{}[\],&*!|>%@`-][^:#]*?))[ \t]*:[ \t]+\S/.exec(content);
      if (!inline) {
        // Document markers and directives end or start a document: the cut does not handle several.
        if (starts.length === 0 || /^(---|\.\.\.)(\s|$)|^%/.test(content.slice(indent))) return undefined;
        continue;
      }
      const key = inline[2] !== undefined ? JSON.parse(`"${inline[2]}"`) : inline[3] !== undefined ? inline[3].replace(/''/g, "'") : inline[4];
      const keyText = inline[0].slice(indent).replace(/[ \t]*:[ \t]+\S$/, '');
      starts.push({ line: i, key, keySpan: { start: lineStart + indent, end: lineStart + indent + keyText.length }, hasInlineValue: true });
      continue;
    }
    const key = match[2] !== undefined ? JSON.parse(`"${match[2]}"`) : match[3] !== undefined ? match[3].replace(/''/g, "'") : match[4];
    const keyText = content.slice(indent).replace(/[ \t]*:(?:[ \t]+#.*|[ \t]*)$/, '');
    starts.push({ line: i, key, keySpan: { start: lineStart + indent, end: lineStart + indent + keyText.length }, hasInlineValue: false });
  }
  if (starts.length === 0) return undefined;
  for (let s = 0; s < starts.length; s++) {
    const first = s === 0 ? from : starts[s].line;
    const lastLine = s + 1 < starts.length ? starts[s + 1].line : to;
    const start = lines.start(first);
    const end = lastLine < lines.length ? lines.start(lastLine) : text.length;
    const entry: Entry = { key: starts[s].key, start, end, keySpan: starts[s].keySpan };
    if (!starts[s].hasInlineValue && end - start > CHUNK_BYTES) {
      const children = childEntries(text, lines, starts[s].line, lastLine, indent);
      if (children) {
        entry.children = children;
        entry.head = detached(text.slice(start, children[0].start));
      }
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * The document of a cut. `previousRoot` (the editor's previous version): an entry cut into children
 * whose content equals the previous version's gets its previous object back, so an unchanged large
 * path item or schema keeps its identity, which the per-value caches and the analysis memory rely
 * on (`sameValue` looks only into what is not shared, so this costs the size of the edit).
 * `edited` (the entries edits changed since that version, which had no syntax error): every other
 * entry cut into children takes its previous value without being visited, so a keystroke builds
 * the objects on the edit's path only, not the thousands of a large description. `searchChunks`
 * (the editor): `indexOf` searches chunk by chunk, whose answers the next versions reuse.
 */
function assemble(uri: string, text: string | undefined, entries: Entry[], leaves: Map<Entry, SpecDocument>, lines: LineIndex, previousRoot?: Record<string, unknown>, onJoin?: () => void, edited?: Set<Entry>, searchChunks = false): SpecDocument {
  const syntaxErrors: SyntaxProblem[] = [];
  const build = (list: Entry[], previous: unknown): Record<string, unknown> => {
    const built = buildObject(list, previous && typeof previous === 'object' ? previous as Record<string, unknown> : undefined);
    return previous !== undefined && sameValue(built, previous) ? previous as Record<string, unknown> : built;
  };
  const buildObject = (list: Entry[], previous: Record<string, unknown> | undefined): Record<string, unknown> => {
    const object: Record<string, unknown> = {};
    for (const entry of list) {
      if (Object.prototype.hasOwnProperty.call(object, entry.key)) {
        syntaxErrors.push({ message: 'Map keys must be unique', span: entry.keySpan });
        continue;
      }
      if (entry.key === '__proto__') continue;
      if (entry.children) {
        // `edited` (typing): an entry the edits did not touch keeps its previous value, unvisited.
        const before = previous?.[entry.key];
        object[entry.key] = edited && !edited.has(entry) && before !== undefined ? before : build(entry.children, before);
        continue;
      }
      const leaf = leaves.get(entry)!;
      for (const error of leaf.syntaxErrors) syntaxErrors.push({ message: error.message, span: { start: error.span.start + entry.start, end: error.span.end + entry.start } });
      const value = leaf.root && typeof leaf.root === 'object' ? (leaf.root as Record<string, unknown>)[entry.key] : undefined;
      object[entry.key] = value === undefined ? null : value;
    }
    return object;
  };
  const root = build(entries, previousRoot);

  // Each finding is located through its chain of entries: `paths` and `components/schemas` hold
  // a thousand entries each, so an entry list is looked up by key, not scanned.
  const byKey = new Map<Entry[], Map<string, Entry>>();
  const entryNamed = (list: Entry[], key: string): Entry | undefined => {
    let keyed = byKey.get(list);
    if (!keyed) {
      keyed = new Map();
      // The first of duplicate keys, as the built object keeps it.
      for (const entry of list) if (!keyed.has(entry.key)) keyed.set(entry.key, entry);
      byKey.set(list, keyed);
    }
    return keyed.get(key);
  };
  /** Finds the entry chain for `path`; returns the leaf and the path inside it. */
  const find = (path: JsonPath): { entry?: Entry; rest: JsonPath; parents: Entry[] } => {
    let list: Entry[] | undefined = entries;
    const parents: Entry[] = [];
    for (let depth = 0; depth < path.length; depth++) {
      const entry: Entry | undefined = list && entryNamed(list, String(path[depth]));
      if (!entry) return { rest: path.slice(depth), parents };
      if (!entry.children) return { entry, rest: path.slice(depth), parents };
      parents.push(entry);
      list = entry.children;
    }
    return { rest: [], parents };
  };
  const wholeRange = (entry: Entry): OffsetRange => {
    // Trailing blank lines and spaces belong to the entry's last chunk.
    let last = entry;
    while (last.children) last = last.children[last.children.length - 1];
    const own = leaves.get(last)!.text;
    let trailing = own.length;
    while (trailing > 0 && /\s/.test(own[trailing - 1])) trailing--;
    return { start: entry.start, end: Math.max(entry.start, entry.end - (own.length - trailing)) };
  };

  // The text in pieces, in text order: the key lines of cut entries and the chunks.
  const pieces: { start: number; end: number; text?: string; leaf?: SpecDocument }[] = [];
  const listPieces = (list: Entry[]) => {
    for (const entry of list) {
      if (entry.children) {
        pieces.push({ start: entry.start, end: entry.start + entry.head!.length, text: entry.head });
        listPieces(entry.children);
      } else pieces.push({ start: entry.start, end: entry.end, leaf: leaves.get(entry)! });
    }
  };
  listPieces(entries);
  const pieceText = (piece: (typeof pieces)[number]) => piece.text ?? piece.leaf!.text;
  let whole = text;
  /** The first piece ending after `offset`. */
  const pieceAt = (offset: number): number => {
    let low = 0;
    let high = pieces.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (pieces[middle].end <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const slice = (from: number, to: number): string => {
    if (whole !== undefined) return whole.slice(from, to);
    const end = Math.min(to, lines.length);
    let result = '';
    for (let index = pieceAt(from); index < pieces.length && pieces[index].start < end; index++) {
      const piece = pieces[index];
      result += pieceText(piece).slice(Math.max(0, from - piece.start), end - piece.start);
    }
    return result;
  };

  const versionKey = 'openapi' in root ? 'openapi' : 'swagger' in root ? 'swagger' : undefined;
  const head = slice(0, 1 << 16);
  return {
    uri, format: 'yaml', lines, root, syntaxErrors,
    // Read whole only when asked: the editor's versions are held in pieces.
    get text() {
      if (whole === undefined) {
        onJoin?.();
        whole = pieces.map(pieceText).join('');
      }
      return whole;
    },
    slice,
    // Chunks start at block keys, outside any quote or flow collection: the text's nesting is the
    // deepest chunk's, and each chunk's is read once.
    nesting() {
      let deepest: Nesting = { depth: 0, offset: 0 };
      for (const [entry, leaf] of leaves) {
        const own = nestingOf(leaf);
        if (own.depth > deepest.depth) deepest = { depth: own.depth, offset: own.offset + entry.start };
      }
      return deepest;
    },
    // A needle without a line break cannot cross a piece's edge (pieces start at line starts), so
    // the pieces are searched in text order, each chunk once per chunk text; the first hit is the
    // first in the text.
    indexOf(needle, from = 0) {
      // In the editor the chunks are searched even when the whole text is at hand (the version
      // opened): each chunk keeps its answer, so the first keystroke does not search them all.
      if (whole !== undefined && !searchChunks) return whole.indexOf(needle, from);
      for (let index = pieceAt(Math.max(0, from)); index < pieces.length; index++) {
        const piece = pieces[index];
        const local = from - piece.start;
        const own = local > 0 ? pieceText(piece).indexOf(needle, local) : piece.leaf ? chunkIndexOf(piece.leaf, needle) : piece.text!.indexOf(needle);
        if (own >= 0) return own + piece.start;
      }
      return -1;
    },
    version: versionKey ? versionFamily(root[versionKey], versionKey) : undefined,
    versionText: versionKey ? String(root[versionKey]) : undefined,
    indentUnit: indentUnitOf(head.length < lines.length && !/\n( +)\S/.test(head) ? slice(0, lines.length) : head),
    locate(path, part = 'value') {
      const { entry, rest, parents } = find(path);
      if (entry) {
        const leaf = leaves.get(entry)!;
        const span = leaf.locate(rest, part);
        return { start: span.start + entry.start, end: span.end + entry.start };
      }
      const parent = parents[parents.length - 1];
      if (!parent) return { start: 0, end: lines.length };
      if (rest.length === 0 && part === 'key') return parent.keySpan;
      if (rest.length === 0) {
        // The nested block starts at its first child key, as the whole-document parser says.
        const firstChild = parent.children![0];
        return { start: firstChild.keySpan.start, end: wholeRange(parent).end };
      }
      return wholeRange(parent);
    },
    has(path) {
      const { entry, rest } = find(path);
      if (entry) return leaves.get(entry)!.has(rest);
      return rest.length === 0;
    },
  };
}
