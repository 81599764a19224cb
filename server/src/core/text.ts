/** Offsets are UTF-16 code unit indices into the document text, the unit LSP positions use too. */
export interface OffsetRange { start: number; end: number }
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

/** A text held in pieces (the editor's large documents): read in parts, joined only when asked. */
export interface TextInPieces {
  slice(start: number, end: number): string;
  whole(): string;
}

/** Maps offsets to 0-based line/character positions; built once per document version. */
export class LineIndex {
  private readonly lineStarts: number[] | Int32Array;
  readonly hasCarriageReturns: boolean = false;
  /** The text, or how to read it: the editor's large documents are held in pieces and joined only when read. */
  private source: string | TextInPieces;
  readonly length: number;
  constructor(text: string, knownStarts?: Int32Array, length?: number, pieces?: TextInPieces) {
    this.source = pieces ?? text;
    this.length = length ?? text.length;
    if (knownStarts) { this.lineStarts = knownStarts; return; }
    const starts = [0];
    this.hasCarriageReturns = text.includes('\r');
    if (!this.hasCarriageReturns) {
      // The common case, found by the native search: every line ends with \n.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10) starts.push(i + 1);
      else if (ch === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }
  get text(): string {
    if (typeof this.source !== 'string') this.source = this.source.whole();
    return this.source;
  }
  /**
   * The index after replacing [start, oldEnd) of the previous text by `inserted`: line starts before
   * the edit are kept, those after it shifted, only the inserted text is scanned, and the new text
   * itself is not read (`text` may be held in pieces, joined only when someone asks for it whole).
   */
  static afterEdit(previous: LineIndex, start: number, oldEnd: number, inserted: string, text: string | TextInPieces): LineIndex {
    const length = previous.length - (oldEnd - start) + inserted.length;
    if (previous.hasCarriageReturns || inserted.includes('\r')) return new LineIndex(typeof text === 'string' ? text : text.whole());
    const old = previous.lineStarts;
    const delta = inserted.length - (oldEnd - start);
    const added: number[] = [];
    for (let at = inserted.indexOf('\n'); at >= 0; at = inserted.indexOf('\n', at + 1)) added.push(start + at + 1);
    // Lines starting up to the edit are kept; those starting inside the replaced span are re-read.
    const before = countAtMost(old, start);
    const after = countAtMost(old, oldEnd);
    const starts = new Int32Array(before + added.length + old.length - after);
    starts.set(old.slice(0, before));
    starts.set(added, before);
    for (let i = after, to = before + added.length; i < old.length; i++, to++) starts[to] = old[i] + delta;
    return typeof text === 'string' ? new LineIndex(text, starts) : new LineIndex('', starts, length, text);
  }
  get lineCount(): number { return this.lineStarts.length; }
  positionAt(offset: number): Position {
    let clamped = Math.max(0, Math.min(offset, this.length));
    // Between the \r and \n of a CRLF is not a position: count it as the end of the line.
    if (this.hasCarriageReturns && clamped > 0 && this.text.charCodeAt(clamped - 1) === 13 && this.text.charCodeAt(clamped) === 10) clamped--;
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }
  offsetAt(position: Position): number {
    if (position.line >= this.lineStarts.length) return this.length;
    const start = this.lineStarts[Math.max(0, position.line)];
    return Math.min(start + position.character, this.lineEnd(position.line));
  }
  lineStart(line: number): number { return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))]; }
  /** Offset of the end of the line's content, before its line break. */
  lineEnd(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.length;
    // Without carriage returns only the \n that starts the next line ends this one.
    if (!this.hasCarriageReturns) return line + 1 < this.lineStarts.length ? next - 1 : next;
    let end = next;
    while (end > this.lineStarts[line] && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return end;
  }
  lineText(line: number): string {
    const start = this.lineStart(line);
    const end = this.lineEnd(line);
    return typeof this.source === 'string' ? this.source.slice(start, end) : this.source.slice(start, end);
  }
  rangeOf(span: OffsetRange): Range { return { start: this.positionAt(span.start), end: this.positionAt(span.end) }; }
}

/** How many of the ascending `values` are <= `limit`. */
function countAtMost(values: ArrayLike<number>, limit: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (values[mid] <= limit) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The edit that turns `before` into `after`, as the length of their common prefix and of their
 * common suffix (not overlapping it). Compares blocks first, so equal megabytes cost little.
 */
export function commonAffixes(before: string, after: string): { prefix: number; suffix: number } {
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  // Large blocks first: comparing slices is fast per character but costly per call.
  for (const block of AFFIX_BLOCKS) {
    while (prefix + block <= shorter && before.slice(prefix, prefix + block) === after.slice(prefix, prefix + block)) prefix += block;
  }
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  const room = shorter - prefix;
  let suffix = 0;
  for (const block of AFFIX_BLOCKS) {
    while (suffix + block <= room && before.slice(before.length - suffix - block, before.length - suffix) === after.slice(after.length - suffix - block, after.length - suffix)) suffix += block;
  }
  while (suffix < room && before.charCodeAt(before.length - suffix - 1) === after.charCodeAt(after.length - suffix - 1)) suffix++;
  return { prefix, suffix };
}
const AFFIX_BLOCKS = [1 << 16, 1 << 12, 1 << 8];

/**
 * `compute`, a pure function of a string, answering repeated questions from a bounded memory: the
 * code rules normalise the same route paths on every keystroke, several rules each. The answers are
 * shared, so `compute` must return a string or a frozen value.
 */
export function rememberedByText<T>(compute: (text: string) => T, capacity = 20_000): (text: string) => T {
  const answers = new Map<string, T>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined && !answers.has(text)) {
      if (answers.size >= capacity) answers.clear();
      answers.set(text, answer = compute(text));
    }
    return answer as T;
  };
}
