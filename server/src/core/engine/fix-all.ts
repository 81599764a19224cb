import type { Diagnostic, TextEdit } from '../types';

/**
 * Picks the preferred fixes of a file's diagnostics whose edits do not overlap an earlier pick, so
 * they can be applied together (fix-all in the editor, `--fix` in the CLI). Fixes that would touch
 * the same text are left for the next pass, after re-analysis.
 */
export function collectFixAllEdits(diagnostics: Diagnostic[]): TextEdit[] {
  const taken: TextEdit[] = [];
  for (const diagnostic of diagnostics) {
    if (!diagnostic.fix?.isPreferred) continue;
    let edits: TextEdit[];
    try {
      edits = diagnostic.fix.edits();
    } catch {
      continue;
    }
    const overlaps = edits.some((edit) => taken.some((other) => other.uri === edit.uri && edit.start <= other.end && other.start <= edit.end));
    if (!overlaps) taken.push(...edits);
  }
  return taken;
}

/** Applies non-overlapping edits of one file to its text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  }
  return result;
}
