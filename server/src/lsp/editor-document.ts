import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextChange } from '../core/spec/chunked-yaml';

/** How many versions of edits a document remembers for a parser that is a few versions behind. */
const REMEMBERED_VERSIONS = 256;
/** Changes kept unapplied at most: joining once per this many keystrokes costs nothing that shows. */
const MAX_PENDING_CHANGES = 1000;

/**
 * An open document that applies the editor's incremental changes without reading its text.
 *
 * `vscode-languageserver-textdocument` splices every change into one string and reads characters
 * around it, and JavaScript joins a spliced string into a flat copy on the first read: on a 10 MB
 * description that is a 20 MB copy per keystroke (80 ms on this project's reference machine, where
 * fresh memory is costly). Here the changes are kept as offsets and the text is joined only when
 * someone reads it; the chunked parser takes the changes instead (`changesSince`). Line offsets
 * are kept up to date from the changes alone, as the library does.
 */
export class EditorTextDocument implements TextDocument {
  /** The text before `pending`; undefined while a parse of this version holds it (`textHeldBy`). */
  private content: string | undefined;
  /** Reads the text of the version handed to `textHeldBy`, when `content` was dropped. */
  private heldBy?: () => string;
  /** Changes not yet applied to `content`, in order. */
  private pending: TextChange[] = [];
  private length: number;
  /** Start offset of each line (a typed array: half the memory of a plain one, 1 MB on a 10 MB description). */
  private lineOffsets: Int32Array;
  /** A carriage return makes line ends depend on the characters: then positions read the text. */
  private hasCarriageReturns: boolean;
  /** The changes of each recent version, for `changesSince`. */
  private history: { previous: number; version: number; changes: TextChange[] }[] = [];

  private constructor(readonly uri: string, readonly languageId: string, public version: number, content: string) {
    this.content = content;
    this.length = content.length;
    this.lineOffsets = lineStarts(content, 0, true);
    this.hasCarriageReturns = content.includes('\r');
  }

  static create(uri: string, languageId: string, version: number, content: string): EditorTextDocument {
    return new EditorTextDocument(uri, languageId, version, content);
  }

  static update(document: EditorTextDocument, changes: TextDocumentContentChangeEvent[], version: number): EditorTextDocument {
    document.apply(changes, version);
    return document;
  }

  get lineCount(): number { return this.lineOffsets.length; }

  getText(range?: Range): string {
    let content = this.content ??= this.heldBy!();
    if (this.pending.length > 0) {
      content = this.content = applyChanges(content, this.pending);
      this.pending = [];
    }
    return range ? content.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : content;
  }

  /**
   * A parse of the current version holds its text anyway (a large YAML document's chunked parse,
   * in pieces): the document drops its own copy and reads `text` when asked, so a 10 MB document
   * (20 MB as a JavaScript string) is not held twice. Not for a text with carriage returns, whose
   * line ends read the text.
   */
  textHeldBy(version: number, text: () => string): void {
    if (version !== this.version || this.hasCarriageReturns) return;
    this.content = undefined;
    this.pending = [];
    this.heldBy = text;
  }

  /**
   * The changes from version `version` to this one, as offsets, in order; undefined when that
   * version is not remembered (or a change replaced the whole text since).
   */
  changesSince(version: number): TextChange[] | undefined {
    if (version === this.version) return [];
    const first = this.history.findIndex((entry) => entry.previous === version);
    return first < 0 ? undefined : this.history.slice(first).flatMap((entry) => entry.changes);
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.length), 0);
    const lineOffsets = this.lineOffsets;
    let low = 0;
    let high = lineOffsets.length;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (lineOffsets[middle] > offset) high = middle;
      else low = middle + 1;
    }
    const line = low - 1;
    offset = this.beforeLineBreak(offset, lineOffsets[line], line);
    return { line, character: offset - lineOffsets[line] };
  }

  offsetAt(position: Position): number {
    const lineOffsets = this.lineOffsets;
    if (position.line >= lineOffsets.length) return this.length;
    if (position.line < 0) return 0;
    const lineOffset = lineOffsets[position.line];
    if (position.character <= 0) return lineOffset;
    const nextLineOffset = position.line + 1 < lineOffsets.length ? lineOffsets[position.line + 1] : this.length;
    return this.beforeLineBreak(Math.min(lineOffset + position.character, nextLineOffset), lineOffset, position.line);
  }

  /** `offset` moved back before the line break of its line, if it is after or inside it. */
  private beforeLineBreak(offset: number, lineOffset: number, line: number): number {
    if (this.hasCarriageReturns) {
      const text = this.getText();
      while (offset > lineOffset && isLineBreak(text.charCodeAt(offset - 1))) offset--;
      return offset;
    }
    // Without carriage returns a line other than the last ends in exactly one \n, before the next line.
    const nextLineOffset = line + 1 < this.lineOffsets.length ? this.lineOffsets[line + 1] : undefined;
    return nextLineOffset !== undefined && offset >= nextLineOffset ? Math.max(lineOffset, nextLineOffset - 1) : offset;
  }

  private apply(changes: TextDocumentContentChangeEvent[], version: number): void {
    const applied: TextChange[] = [];
    let replacedWhole = false;
    for (const change of changes) {
      if ('range' in change && change.range) {
        const range = wellFormed(change.range);
        const start = this.offsetAt(range.start);
        const end = this.offsetAt(range.end);
        this.pending.push({ start, end, text: change.text });
        applied.push({ start, end, text: change.text });
        this.length += change.text.length - (end - start);
        if (change.text.includes('\r')) this.hasCarriageReturns = true;
        this.updateLineOffsets(range, start, end, change.text);
      } else {
        this.content = change.text;
        this.heldBy = undefined;
        this.pending = [];
        this.length = change.text.length;
        this.lineOffsets = lineStarts(change.text, 0, true);
        this.hasCarriageReturns = change.text.includes('\r');
        replacedWhole = true;
      }
    }
    if (this.pending.length >= MAX_PENDING_CHANGES) this.getText();
    const previous = this.version;
    this.version = version;
    if (replacedWhole) { this.history = []; return; }
    this.history.push({ version, previous, changes: applied });
    if (this.history.length > REMEMBERED_VERSIONS) this.history.shift();
  }

  /**
   * The library's update of line offsets: the changed lines replaced, the following ones shifted.
   * A change that adds or removes lines makes a new array (a copy of 1 MB on a 10 MB description,
   * well under a millisecond; the shift below reads as much).
   */
  private updateLineOffsets(range: Range, start: number, end: number, text: string): void {
    const startLine = Math.min(Math.max(range.start.line, 0), this.lineOffsets.length - 1);
    const endLine = Math.min(Math.max(range.end.line, 0), this.lineOffsets.length - 1);
    const added = lineStarts(text, start, false);
    const lineOffsets = this.lineOffsets;
    if (endLine - startLine === added.length) {
      lineOffsets.set(added, startLine + 1);
    } else {
      const replaced = new Int32Array(lineOffsets.length - (endLine - startLine) + added.length);
      replaced.set(lineOffsets.subarray(0, startLine + 1));
      replaced.set(added, startLine + 1);
      replaced.set(lineOffsets.subarray(endLine + 1), startLine + 1 + added.length);
      this.lineOffsets = replaced;
    }
    const delta = text.length - (end - start);
    if (delta !== 0) {
      const offsets = this.lineOffsets;
      for (let i = startLine + 1 + added.length; i < offsets.length; i++) offsets[i] += delta;
    }
  }
}

/**
 * `text` after `changes`, joined once. Splicing strings change by change would join (copy) the
 * whole text at every change after the first, since cutting a spliced string joins it: after an
 * hour of typing unread, thousands of copies of a 10 MB text. Here the changes cut a list of pieces
 * (views into `text` and the inserted texts), and the pieces are joined at the end.
 */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  type Piece = { source: string; start: number; end: number };
  let pieces: Piece[] = [{ source: text, start: 0, end: text.length }];
  for (const change of changes) {
    const next: Piece[] = [];
    let offset = 0;
    let inserted = false;
    for (const piece of pieces) {
      const length = piece.end - piece.start;
      const pieceEnd = offset + length;
      // The part of the piece before the change, and the part after it.
      if (offset < change.start) next.push({ source: piece.source, start: piece.start, end: piece.start + Math.min(length, change.start - offset) });
      if (!inserted && pieceEnd >= change.start) {
        if (change.text) next.push({ source: change.text, start: 0, end: change.text.length });
        inserted = true;
      }
      if (pieceEnd > change.end) next.push({ source: piece.source, start: piece.start + Math.max(0, change.end - offset), end: piece.end });
      offset = pieceEnd;
    }
    if (!inserted && change.text) next.push({ source: change.text, start: 0, end: change.text.length });
    pieces = next.filter((piece) => piece.end > piece.start);
  }
  return pieces.map((piece) => piece.source.slice(piece.start, piece.end)).join('');
}

function isLineBreak(code: number): boolean {
  return code === 13 || code === 10;
}

/** Offsets (plus `base`) where lines start in `text`: after \n, \r\n or a lone \r; with 0 first when asked. */
function lineStarts(text: string, base: number, withFirst: boolean): Int32Array {
  const result = withFirst ? [0] : [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isLineBreak(code)) {
      if (code === 13 && i + 1 < text.length && text.charCodeAt(i + 1) === 10) i++;
      result.push(base + i + 1);
    }
  }
  return Int32Array.from(result);
}

function wellFormed(range: Range): Range {
  const { start, end } = range;
  return start.line > end.line || (start.line === end.line && start.character > end.character) ? { start: end, end: start } : range;
}
