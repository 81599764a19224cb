/**
 * Expected diagnostics written next to the code they point at, rust-analyzer style:
 *
 *     /users/{userId}:
 *       get:
 *   #   ^^^ oas-path-params-match: not declared
 *
 * A marker line is a comment (`#` or `//`) followed by carets; the carets sit under the columns of
 * the nearest line above that is not a marker. When the comment leader is directly followed by a
 * caret, the leader counts as carets too, so a span at column 0 is written `#^^^^^^ rule-id`.
 * After the rule id, an optional `: text` must appear in the message.
 */
export interface ExpectedDiagnostic { line: number; startCharacter: number; endCharacter: number; ruleId: string; messageIncludes?: string }

const MARKER = /^(\s*)(#|\/\/)(\s*)(\^+)\s+([a-z0-9-]+)(?::\s*(.*))?\s*$/;

export function parseMarkers(text: string): ExpectedDiagnostic[] {
  const lines = text.split(/\r?\n/);
  const expected: ExpectedDiagnostic[] = [];
  let target = -1;
  lines.forEach((line, index) => {
    const match = MARKER.exec(line);
    if (!match) { target = index; return; }
    const [, indent, leader, gap, carets, ruleId, message] = match;
    const leaderIsCaret = gap === '';
    const start = leaderIsCaret ? indent.length : indent.length + leader.length + gap.length;
    const length = leaderIsCaret ? leader.length + carets.length : carets.length;
    expected.push({ line: target, startCharacter: start, endCharacter: start + length, ruleId, messageIncludes: message?.trim() || undefined });
  });
  return expected;
}

export function isMarkerLine(line: string): boolean {
  return MARKER.test(line);
}
