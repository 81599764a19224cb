/**
 * Cheap checks that run before parsing, so hostile input gets one clear diagnostic instead of a
 * stack overflow, a hang or a page of parse errors.
 */
import type { Nesting } from '../spec/document';

export const MAX_NESTING_DEPTH = 500;

export type InputProblem = { code: 'binary' | 'too-deep'; message: string; offset: number };

/** What the checks read of a text: a parsed document held in pieces answers without being joined. */
export interface CheckedText {
  readonly length: number;
  slice(start: number, end: number): string;
  indexOf(needle: string): number;
  nesting(): Nesting;
}

/**
 * `input`: the text, or what the editor's chunked parser can tell of it without reading it all
 * again (the nesting and searches, kept per chunk).
 */
export function checkInput(input: string | CheckedText): InputProblem | undefined {
  const text = typeof input === 'string' ? { length: input.length, slice: (start: number, end: number) => input.slice(start, end), indexOf: (needle: string) => input.indexOf(needle), nesting: () => maxNesting(input) } : input;
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { code: 'binary', offset: nul, message: 'File contains NUL bytes: it looks binary, not a YAML or JSON text document.' };
  const sample = text.slice(0, 65536);
  let replacements = 0;
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) === 0xfffd) replacements++;
  if (replacements > 8 && replacements > sample.length / 100) {
    return { code: 'binary', offset: sample.indexOf('\ufffd'), message: 'File is not valid UTF-8 text; apilens reads UTF-8 YAML and JSON documents.' };
  }
  const depth = text.nesting();
  if (depth.depth > MAX_NESTING_DEPTH) {
    return { code: 'too-deep', offset: depth.offset, message: `Document nests deeper than ${MAX_NESTING_DEPTH} levels; apilens does not analyse it (real API descriptions stay far below this).` };
  }
  return undefined;
}

const [BACKSLASH, DOUBLE_QUOTE, SINGLE_QUOTE, NEWLINE, SPACE, DASH, HASH] = [92, 34, 39, 10, 32, 45, 35];
const [OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE] = [91, 93, 123, 125];

/** Flow bracket depth plus block indentation depth, ignoring quoted strings; one linear pass. */
export function maxNesting(text: string): Nesting {
  // Character codes rather than one-character strings: this runs over every character of the input.
  let flow = 0;
  let max = 0;
  let offset = 0;
  let quote = 0;
  let lineStart = true;
  let indent = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let ch = text.charCodeAt(i);
    if (quote) {
      if (ch === BACKSLASH && quote === DOUBLE_QUOTE) i++;
      else if (ch === quote) quote = 0;
      else if (ch === NEWLINE) lineStart = true, indent = 0;
      continue;
    }
    if (lineStart) {
      if (ch === SPACE || ch === DASH) { indent++; continue; }
      lineStart = false;
      // Every two columns of block indentation is at most one level.
      const blockDepth = flow + (indent >> 1);
      if (blockDepth > max) { max = blockDepth; offset = i; }
    }
    // Most characters change nothing: skip to the next one that may (a third less time on GitHub's description).
    while (ch >= 128 || STOPS[ch] === 0) {
      if (++i >= length) return { depth: max, offset };
      ch = text.charCodeAt(i);
    }
    if (ch === NEWLINE) { lineStart = true; indent = 0; continue; }
    if (ch === DOUBLE_QUOTE || (ch === SINGLE_QUOTE && (i === 0 || opensQuote(text.charCodeAt(i - 1))))) quote = ch;
    else if (ch === OPEN_BRACKET || ch === OPEN_BRACE) { flow++; if (flow > max) { max = flow; offset = i; } }
    else if (ch === CLOSE_BRACKET || ch === CLOSE_BRACE) flow = Math.max(0, flow - 1);
    else if (ch === HASH && (i === 0 || isSpace(text.charCodeAt(i - 1)))) { while (i < length && text.charCodeAt(i) !== NEWLINE) i++; i--; }
  }
  return { depth: max, offset };
}

/** ASCII characters the scan stops at outside quotes: line breaks, quotes, brackets, `#`. */
const STOPS = new Uint8Array(128);
for (const code of [NEWLINE, DOUBLE_QUOTE, SINGLE_QUOTE, OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE, HASH]) STOPS[code] = 1;

/** `/\s/` on one character, without making a string of it (ASCII answered from the code). */
function isSpace(code: number): boolean {
  return code < 128 ? code === SPACE || (code >= 9 && code <= 13) : /\s/.test(String.fromCharCode(code));
}

/** Whether a `'` after this character opens a quoted scalar: after a space, `[`, `{`, `,` or `:`. */
function opensQuote(code: number): boolean {
  return isSpace(code) || code === OPEN_BRACKET || code === OPEN_BRACE || code === 44 || code === 58;
}
