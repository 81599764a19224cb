import type { OffsetRange } from '../text';
import type { JsonPath } from '../types';

/**
 * Finds where a JSON path lies in plain block-style YAML from lines and indentation alone, without
 * building a syntax tree. Large descriptions are read with js-yaml (values, no positions) and most
 * findings sit on block-mapping keys (`responses: '200':`), so this answers the common case for a
 * fraction of the cost of composing the chunk with `yaml`.
 *
 * It answers only where the text is unambiguous: block mappings with single-line keys, block
 * sequences, and single-line scalars. Anything else on the way to the path (flow collections, block
 * or multi-line scalars, anchors, aliases, tags, tabs, comments trailing a collection, keys whose
 * YAML value is not their text) makes it return undefined, and the caller composes the chunk with
 * `yaml` as before. Its answers are the ranges `yaml` gives (the chunked-YAML tests compare them).
 */
export class BlockLocator {
  private readonly lines: Lines;
  private readonly entriesCache = new Map<string, MapEntry[] | null>();
  private readonly itemsCache = new Map<string, number[] | null>();

  constructor(private readonly text: string) {
    // Lines indented with tabs are never read as keys or items, so only CRLF text is left to `yaml`.
    this.lines = text.includes('\r') ? Lines.none : scanLines(text);
  }

  /** The range of the node at `path` (its key when `part` is 'key'), or undefined when unsure or absent. */
  locate(path: JsonPath, part: 'key' | 'value' = 'value'): OffsetRange | undefined {
    const found = this.find(path);
    if (!found) return undefined;
    if (found.keySpan && part === 'key') return found.keySpan;
    return this.valueRange(found.value);
  }

  /** True when the path exists; undefined when the text cannot tell without a real parse. */
  has(path: JsonPath): true | undefined {
    return this.find(path) ? true : undefined;
  }

  private find(path: JsonPath): { value: Value; keySpan?: OffsetRange } | undefined {
    const root = this.rootBlock();
    if (!root) return undefined;
    let value: Value = root;
    let keySpan: OffsetRange | undefined;
    for (const segment of path) {
      if (value.kind === 'map') {
        const entries = this.mapEntries(value);
        const entry = entries?.find((candidate) => candidate.key === String(segment));
        if (!entry) return undefined;
        const next = this.entryValue(entry, value);
        if (!next) return undefined;
        value = next;
        keySpan = entry.keySpan;
      } else if (value.kind === 'seq' && /^\d+$/.test(String(segment))) {
        const item = this.sequenceItem(value, Number(segment));
        if (!item || item.kind === 'null') return undefined;
        value = item;
        keySpan = undefined;
      } else {
        return undefined;
      }
    }
    return { value, keySpan };
  }

  private rootBlock(): Block | undefined {
    const lines = this.lines;
    const first = this.firstContent(0, lines.length);
    if (first < 0) return undefined;
    return { kind: 'map', firstLine: first, firstColumn: lines.start(first) + lines.indent(first), indent: lines.indent(first), endLine: lines.length };
  }

  /** The entries of a block mapping, or null when a line at its indentation is not a plain key. */
  private mapEntries(block: Block): MapEntry[] | undefined {
    const cacheKey = `${block.firstLine}:${block.firstColumn}`;
    const cached = this.entriesCache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const entries: MapEntry[] = [];
    let failed = false;
    const lines = this.lines;
    for (let i = block.firstLine; i < block.endLine && !failed; i = this.nextAtIndent(block, i)) {
      const indent = lines.indent(i);
      const end = lines.end(i);
      const start = i === block.firstLine ? block.firstColumn : lines.start(i) + indent;
      if (i !== block.firstLine) {
        if (lines.blank(i)) continue;
        if (indent < block.indent) { failed = true; break; }
        if (indent > block.indent) continue;
        // An indentless sequence (`key:` then `- item` at the key's column) belongs to the entry above.
        if (this.isDashLine(start, end) && entries.length > 0 && entries[entries.length - 1].inline === 'none') continue;
      }
      const entry = this.keyLine(i, start, end);
      if (!entry) failed = true;
      else entries.push(entry);
    }
    if (!failed) for (let e = 0; e < entries.length; e++) entries[e].endLine = e + 1 < entries.length ? entries[e + 1].line : block.endLine;
    this.entriesCache.set(cacheKey, failed ? null : entries);
    return failed ? undefined : entries;
  }

  /**
   * The line to read after line `i` of `block`: past the value of an entry or item that starts on
   * it at the block's indentation, else the next line. A block's first line may start at another
   * column than its indentation (`- name: a`): that one is stepped over line by line.
   */
  private nextAtIndent(block: Block, i: number): number {
    const lines = this.lines;
    const atIndent = !lines.blank(i) && lines.indent(i) === block.indent && (i !== block.firstLine || block.firstColumn === lines.start(i) + block.indent);
    return atIndent ? lines.nextNotDeeper(i) : i + 1;
  }

  private keyLine(lineIndex: number, start: number, end: number): MapEntry | undefined {
    const match = KEY.exec(this.text.slice(start, end));
    if (!match) return undefined;
    let key: string;
    if (match[1] !== undefined) {
      try { key = JSON.parse(`"${match[1]}"`); } catch { return undefined; }
    } else if (match[2] !== undefined) {
      key = match[2].replace(/''/g, "'");
    } else {
      key = match[3];
      if (!plainKeyIsItsText(key)) return undefined;
    }
    const keyLength = match[1] !== undefined ? match[1].length + 2 : match[2] !== undefined ? match[2].length + 2 : match[3].length;
    const keySpan = { start, end: start + keyLength };
    const afterColon = start + match[0].length;
    const inline = this.inlineValue(afterColon, end);
    if (inline === undefined) return undefined;
    return { key, keySpan, afterColon, line: lineIndex, endLine: lineIndex + 1, inline };
  }

  /**
   * What follows `: ` or `- ` on a line: a single-line scalar's range, 'none' (nothing or a comment:
   * the value is on the next lines), 'opaque' (a block scalar, anchor, alias, tag, a flow collection
   * or quoted scalar closed on the same line: the key can be located, the value cannot), or
   * undefined when the line may continue onto lines that look like keys (an unclosed flow collection
   * or quoted scalar): then the enclosing block is not read at all.
   */
  private inlineValue(from: number, end: number): OffsetRange | 'none' | 'opaque' | undefined {
    let start = from;
    while (start < end && this.text[start] === ' ') start++;
    if (start >= end || this.text[start] === '#') return 'none';
    const rest = this.text.slice(start, end);
    const first = rest[0];
    if (first === '{' || first === '[') return closesOnLine(rest) ? 'opaque' : undefined;
    if (first === '"' || first === "'") {
      const close = closingQuote(this.text, start, end);
      if (close < 0) return undefined;
      if (rest.includes('\t') || !/^(?: +#.*| *)$/.test(this.text.slice(close, end))) return 'opaque';
      return { start, end: close };
    }
    if ('&*!|>%@`?'.includes(first) || rest.includes('\t')) return 'opaque';
    const comment = rest.search(/ #/);
    let valueEnd = comment >= 0 ? start + comment : end;
    while (valueEnd > start && this.text[valueEnd - 1] === ' ') valueEnd--;
    if (/: |:$/.test(this.text.slice(start, valueEnd)) || /^-(?: |$)/.test(rest)) return 'opaque';
    return { start, end: valueEnd };
  }

  private entryValue(entry: MapEntry, parent: Block): Value | undefined {
    const continuation = this.firstContent(entry.line + 1, entry.endLine);
    if (entry.inline === 'opaque') return { kind: 'opaque' };
    if (entry.inline !== 'none') return continuation < 0 ? { kind: 'scalar', range: entry.inline } : undefined;
    // `key:` with nothing after it: `yaml` places the empty value where the line's text ends.
    if (continuation < 0) return this.onlyBlankUntil(entry.line + 1, entry.endLine) ? { kind: 'null', at: entry.afterColon } : undefined;
    const indent = this.lines.indent(continuation);
    const end = this.lines.end(continuation);
    const start = this.lines.start(continuation) + indent;
    if (indent < parent.indent) return undefined;
    if (this.isDashLine(start, end)) return { kind: 'seq', firstLine: continuation, firstColumn: start, indent, endLine: entry.endLine };
    if (indent === parent.indent || !KEY.test(this.text.slice(start, end))) return undefined;
    return { kind: 'map', firstLine: continuation, firstColumn: start, indent, endLine: entry.endLine };
  }

  /** The lines where the items of a block sequence start, or undefined when a line at its indentation is not an item. */
  private itemLines(block: Block): number[] | undefined {
    // Kept per block, as map entries are: findings under one list (parameters) each ask for it.
    const cacheKey = `${block.firstLine}:${block.firstColumn}`;
    const cached = this.itemsCache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const lines = this.lines;
    let items: number[] | null = [];
    for (let i = block.firstLine; i < block.endLine; i = this.nextAtIndent(block, i)) {
      if (lines.blank(i) || lines.indent(i) > block.indent) continue;
      if (lines.indent(i) < block.indent || !this.isDashLine(lines.start(i) + lines.indent(i), lines.end(i))) { items = null; break; }
      items.push(i);
    }
    this.itemsCache.set(cacheKey, items);
    return items ?? undefined;
  }

  private sequenceItem(block: Block, index: number): Value | undefined {
    const items = this.itemLines(block);
    if (!items || index >= items.length) return undefined;
    const lines = this.lines;
    const itemLine = items[index];
    const itemEnd = index + 1 < items.length ? items[index + 1] : block.endLine;
    const lineStart = lines.start(itemLine);
    const lineEnd = lines.end(itemLine);
    let content = lineStart + lines.indent(itemLine) + 1;
    while (content < lineEnd && this.text[content] === ' ') content++;
    if (content >= lineEnd || this.text[content] === '#') {
      // `-` alone: the item is the block on the following lines.
      const next = this.firstContent(itemLine + 1, itemEnd);
      if (next < 0) return undefined;
      const innerIndent = lines.indent(next);
      const innerEnd = lines.end(next);
      const start = lines.start(next) + innerIndent;
      if (innerIndent <= block.indent) return undefined;
      if (this.isDashLine(start, innerEnd)) return { kind: 'seq', firstLine: next, firstColumn: start, indent: innerIndent, endLine: itemEnd };
      return KEY.test(this.text.slice(start, innerEnd)) ? { kind: 'map', firstLine: next, firstColumn: start, indent: innerIndent, endLine: itemEnd } : undefined;
    }
    if (this.isDashLine(content, lineEnd)) return undefined;
    if (KEY.test(this.text.slice(content, lineEnd))) {
      const indent = content - lineStart;
      // Lines of a compact mapping (`- name: a` / `  in: query`) sit exactly at the first key's column.
      for (let i = itemLine + 1; i < itemEnd; i++) if (!lines.blank(i) && lines.indent(i) < indent) return undefined;
      return { kind: 'map', firstLine: itemLine, firstColumn: content, indent, endLine: itemEnd };
    }
    const scalar = this.inlineValue(content, lineEnd);
    if (scalar === 'opaque') return { kind: 'opaque' };
    if (!scalar || scalar === 'none' || this.firstContent(itemLine + 1, itemEnd) >= 0) return undefined;
    return { kind: 'scalar', range: scalar };
  }

  /** `yaml`'s range of a value: a scalar's text; a collection from its first key or dash to the end of its last line. */
  private valueRange(value: Value): OffsetRange | undefined {
    if (value.kind === 'scalar') return value.range;
    if (value.kind === 'null') return { start: value.at, end: value.at };
    if (value.kind === 'opaque') return undefined;
    let last = -1;
    const lines = this.lines;
    for (let i = value.endLine - 1; i >= value.firstLine; i--) {
      if (!lines.blank(i)) { last = i; break; }
      // A comment after the last entry, or a `#` line that may belong to a block scalar: ask `yaml`.
      if (lines.indent(i) < lines.end(i) - lines.start(i)) return undefined;
    }
    if (last < 0) return undefined;
    const lastEnd = lines.end(last);
    const lastText = this.text.slice(lines.start(last) + lines.indent(last), lastEnd);
    if (lastText.startsWith('\t')) return undefined;
    // A trailing null entry (`key:`) ends before its line break; kept block scalars take blank lines.
    if (/:\s*(#.*)?$/.test(lastText) || /^-\s*(#.*)?$/.test(lastText)) return undefined;
    for (let i = value.firstLine; i <= last; i++) if (/[|>][1-9]?\+[1-9]?\s*(#.*)?$/.test(this.text.slice(lines.start(i), lines.end(i)))) return undefined;
    return { start: value.firstColumn, end: Math.min(lastEnd + 1, this.text.length) };
  }

  private isDashLine(start: number, end: number): boolean {
    return this.text[start] === '-' && (start + 1 === end || this.text[start + 1] === ' ');
  }

  private firstContent(from: number, to: number): number {
    for (let i = from; i < to; i++) if (!this.lines.blank(i)) return i;
    return -1;
  }

  private onlyBlankUntil(from: number, to: number): boolean {
    const lines = this.lines;
    for (let i = from; i < to; i++) if (lines.indent(i) < lines.end(i) - lines.start(i)) return false;
    return true;
  }
}

/**
 * The lines of a text in typed arrays, not an object per line (GitHub's description has 265,000
 * lines): where each starts and ends (before its \n), its indentation in spaces, and whether it is
 * blank (spaces only, a comment, or a carriage return).
 */
export class Lines {
  static readonly none = new Lines(0, new Int32Array(0), new Int32Array(0), new Int32Array(0), new Uint8Array(0));
  constructor(readonly length: number, private readonly starts: Int32Array, private readonly ends: Int32Array, private readonly indents: Int32Array, private readonly blanks: Uint8Array) {}
  start(line: number): number { return this.starts[line]; }
  end(line: number): number { return this.ends[line]; }
  indent(line: number): number { return this.indents[line]; }
  blank(line: number): boolean { return this.blanks[line] === 1; }
  /** Where each line starts (a view, not a copy). */
  lineStarts(): Int32Array { return this.starts.subarray(0, this.length); }

  private nextNotDeeperLines?: Int32Array;

  /**
   * The first line after a non-blank `line` that is not blank and not indented deeper (`length`
   * when none): its next sibling, or the end of its parent. Reading a block's entries jumps from
   * one to the next instead of stepping over every line of their values (large path items).
   */
  nextNotDeeper(line: number): number {
    return (this.nextNotDeeperLines ??= this.linkNotDeeper())[line];
  }

  private linkNotDeeper(): Int32Array {
    const next = new Int32Array(this.length).fill(this.length);
    // Lines still waiting for their next line not deeper; their indentation rises along the stack.
    const waiting = new Int32Array(this.length);
    let top = 0;
    for (let line = 0; line < this.length; line++) {
      if (this.blanks[line] === 1) continue;
      const indent = this.indents[line];
      while (top > 0 && this.indents[waiting[top - 1]] >= indent) next[waiting[--top]] = line;
      waiting[top++] = line;
    }
    return next;
  }
}

interface Block { kind: 'map' | 'seq'; firstLine: number; firstColumn: number; indent: number; endLine: number }
type Value = Block | { kind: 'scalar'; range: OffsetRange } | { kind: 'null'; at: number } | { kind: 'opaque' };

interface MapEntry { key: string; keySpan: OffsetRange; afterColon: number; line: number; endLine: number; inline: OffsetRange | 'none' | 'opaque' }

/** A single-line block-mapping key and its colon: double-quoted, single-quoted or plain. */
const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{}[\],&*!|>%@`?:-](?:[^:#]|#(?<! #)|:(?! |$))*?|-[^\s:#](?:[^:#]|:(?! |$))*?))[ \t]*:(?: +|$)/;

/** Lines with their indentation; comment-only and empty lines are blank. */
export function scanLines(text: string): Lines {
  const length = text.length;
  // About 40 characters a line in real descriptions; the arrays double when that falls short.
  let capacity = Math.max(16, length >> 5);
  let starts = new Int32Array(capacity);
  let ends = new Int32Array(capacity);
  let indents = new Int32Array(capacity);
  let blanks = new Uint8Array(capacity);
  let count = 0;
  let start = 0;
  for (;;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    let content = start;
    while (text.charCodeAt(content) === 32) content++;
    const first = text.charCodeAt(content);
    if (count === capacity) {
      capacity *= 2;
      starts = grown(starts, new Int32Array(capacity));
      ends = grown(ends, new Int32Array(capacity));
      indents = grown(indents, new Int32Array(capacity));
      blanks = grown(blanks, new Uint8Array(capacity));
    }
    starts[count] = start;
    ends[count] = end;
    indents[count] = content - start;
    blanks[count] = content >= end || first === 35 /* # */ || first === 13 /* \r */ ? 1 : 0;
    count++;
    if (end === length) break;
    start = end + 1;
  }
  return new Lines(count, starts, ends, indents, blanks);
}

/** `wider` holding `array`'s values first. */
function grown<T extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(array: T, wider: T): T {
  wider.set(array);
  return wider;
}

/** True when a flow collection opened at the start of `text` closes on this line (quotes respected). */
function closesOnLine(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const close = closingQuote(text, i, text.length);
      if (close < 0) return false;
      i = close - 1;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') { if (--depth === 0) return /^(?: +#.*| *)$/.test(text.slice(i + 1)); }
    else if (ch === '#' && text[i - 1] === ' ') return false;
  }
  return false;
}

/** Offset after the closing quote of a single-line quoted scalar, or -1. */
function closingQuote(text: string, start: number, end: number): number {
  const quote = text[start];
  for (let i = start + 1; i < end; i++) {
    const ch = text[i];
    if (quote === '"' && ch === '\\') { i++; continue; }
    if (ch === quote) {
      if (quote === "'" && text[i + 1] === "'") { i++; continue; }
      return i + 1;
    }
  }
  return -1;
}

const CORE_NUMBER = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** False when YAML reads the plain key as something whose string form differs from its text (`1.0`, `TRUE`, `~`). */
function plainKeyIsItsText(key: string): boolean {
  if (CORE_NUMBER.test(key)) return String(Number(key)) === key;
  if (/^(?:true|false|null|~)$/i.test(key)) return key === 'true' || key === 'false' || key === 'null';
  return true;
}
