import type { LineIndex } from '../text';

/**
 * Inline suppressions: `# apilens-disable-next-line rule-a, rule-b` (YAML) or `// ...` (JSON, TS),
 * and `apilens-disable-file [rule-a]` anywhere in the file. No rule ids means every rule.
 */
export interface Suppressions {
  isSuppressed(ruleId: string, line: number): boolean;
}

/** Every directive contains it: a text without it has none. */
const DIRECTIVE_WORD = 'apilens-disable';
const DIRECTIVE = /(?:#|\/\/|\/\*)\s*apilens-disable-(next-line|file)\b([^\n*]*)/g;

/**
 * `text`: the text, or a parsed document, whose search needs not join a text held in pieces (the
 * editor's large documents): most texts have no directive, and are then not read whole.
 */
export function readSuppressions(text: string | { readonly text: string; indexOf(needle: string): number }, lines: LineIndex): Suppressions {
  const nextLine = new Map<number, Set<string> | 'all'>();
  let file: Set<string> | 'all' | undefined;
  if (text.indexOf(DIRECTIVE_WORD) < 0) return { isSuppressed: () => false };
  for (const match of (typeof text === 'string' ? text : text.text).matchAll(DIRECTIVE)) {
    const ids = match[2].split(/[\s,]+/).map((id) => id.trim()).filter((id) => /^[a-z0-9-]+$/.test(id));
    const scope: Set<string> | 'all' = ids.length === 0 ? 'all' : new Set(ids);
    if (match[1] === 'file') {
      file = scope === 'all' || file === 'all' ? 'all' : new Set([...(file ?? []), ...scope]);
    } else {
      const line = lines.positionAt(match.index ?? 0).line + 1;
      const existing = nextLine.get(line);
      nextLine.set(line, scope === 'all' || existing === 'all' ? 'all' : new Set([...(existing ?? []), ...scope]));
    }
  }
  const covers = (scope: Set<string> | 'all' | undefined, ruleId: string) => scope === 'all' || (scope?.has(ruleId) ?? false);
  return { isSuppressed: (ruleId, line) => covers(file, ruleId) || covers(nextLine.get(line), ruleId) };
}
