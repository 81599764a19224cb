import { relative } from 'node:path';
import type { Diagnostic } from '../core/types';
import { ruleDocUrl } from '../core/types';
import type { Rule } from '../core/rules/rule';
import { fsPathOf } from '../host/node-host';

export type OutputFormat = 'text' | 'json' | 'sarif';

/** Files as the output names them: relative to `cwd`, forward slashes. Thousands of findings share a few files. */
function displayPaths(cwd: string): (uri: string) => string {
  const shown = new Map<string, string>();
  return (uri) => {
    let path = shown.get(uri);
    if (path === undefined) {
      const fsPath = fsPathOf(uri) ?? uri;
      shown.set(uri, path = relative(cwd, fsPath).split('\\').join('/') || fsPath);
    }
    return path;
  };
}

export function formatJson(diagnostics: Diagnostic[], cwd: string): string {
  const displayPath = displayPaths(cwd);
  return JSON.stringify({
    version: 1,
    diagnostics: diagnostics.map((d) => ({
      file: displayPath(d.uri),
      rule: d.ruleId,
      severity: d.severity,
      message: d.message,
      range: d.range,
      ...(d.related?.length ? { related: d.related.map((r) => ({ file: displayPath(r.uri), range: r.range, message: r.message })) } : {}),
      ...(d.fix ? { fixable: true } : {}),
    })),
  }, null, 2);
}

/** ESLint "stylish"-like: a header per file, then `line:col  severity  message  rule`. */
export function formatText(diagnostics: Diagnostic[], cwd: string, color: boolean): string {
  const displayPath = displayPaths(cwd);
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const list = byFile.get(d.uri);
    if (list) list.push(d);
    else byFile.set(d.uri, [d]);
  }
  const out: string[] = [];
  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const [uri, list] of byFile) {
    out.push('', paint(4, displayPath(uri)));
    const rows = list.map((d) => {
      counts[d.severity]++;
      const severityColor = d.severity === 'error' ? 31 : d.severity === 'warning' ? 33 : 36;
      return [`  ${d.range.start.line + 1}:${d.range.start.character + 1}`, paint(severityColor, d.severity), d.message, paint(90, d.ruleId)];
    });
    const widths = [0, 1].map((i) => Math.max(...rows.map((row) => stripAnsi(row[i]).length)));
    for (const row of rows) out.push(`${row[0].padEnd(widths[0] + (row[0].length - stripAnsi(row[0]).length))}  ${row[1].padEnd(widths[1] + (row[1].length - stripAnsi(row[1]).length))}  ${row[2]}  ${row[3]}`);
  }
  const total = diagnostics.length;
  if (total === 0) return paint(32, 'apilens: no problems found');
  out.push('', paint(total && counts.error ? 31 : 33, `✖ ${total} problem${total === 1 ? '' : 's'} (${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info + counts.hint} info)`));
  return out.join('\n');
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[\d+m/g, '');
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

/** SARIF 2.1.0, as GitHub code scanning reads it: 1-based lines and columns, rules with help. */
export function formatSarif(diagnostics: Diagnostic[], rules: readonly Rule[], cwd: string, version: string): string {
  const displayPath = displayPaths(cwd);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const extraRules = [...new Set(diagnostics.map((d) => d.ruleId).filter((id) => !ruleIndex.has(id)))];
  const sarifRules = [
    ...rules.map((rule) => ({
      id: rule.id,
      name: rule.id,
      shortDescription: { text: rule.description },
      fullDescription: { text: rule.description },
      helpUri: ruleDocUrl(rule.id),
      help: { text: `${rule.description}\n\n${rule.docs.rationale}`, markdown: `${rule.description}\n\n${rule.docs.rationale}` },
      defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
      properties: { tags: rule.appliesTo },
    })),
    ...extraRules.map((id) => ({ id, name: id, shortDescription: { text: id }, defaultConfiguration: { level: 'error' } })),
  ];
  extraRules.forEach((id, i) => ruleIndex.set(id, rules.length + i));
  const location = (uri: string, range: Diagnostic['range']) => ({
    physicalLocation: {
      artifactLocation: { uri: displayPath(uri), uriBaseId: '%SRCROOT%' },
      region: { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 },
    },
  });
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'apilens', version, informationUri: 'https://github.com/apilens/apilens', rules: sarifRules } },
      results: diagnostics.map((d) => ({
        ruleId: d.ruleId,
        ruleIndex: ruleIndex.get(d.ruleId),
        level: SARIF_LEVEL[d.severity],
        message: { text: d.message },
        locations: [location(d.uri, d.range)],
        ...(d.related?.length ? { relatedLocations: d.related.map((r, id) => ({ id, ...location(r.uri, r.range), message: { text: r.message } })) } : {}),
      })),
    }],
  }, null, 2);
}
