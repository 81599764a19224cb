import { CodeAction, CodeActionKind, DiagnosticSeverity, type Diagnostic as LspDiagnostic, type TextEdit as LspTextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Diagnostic, Fix, Severity } from '../core/types';
import { ruleDocUrl } from '../core/types';
import type { LineIndex } from '../core/text';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(diagnostic: Diagnostic, isRule: (id: string) => boolean): LspDiagnostic {
  return {
    range: diagnostic.range,
    severity: SEVERITY[diagnostic.severity],
    source: 'apilens',
    code: diagnostic.ruleId,
    ...(isRule(diagnostic.ruleId) ? { codeDescription: { href: ruleDocUrl(diagnostic.ruleId) } } : {}),
    message: diagnostic.message,
    relatedInformation: diagnostic.related?.map((related) => ({ location: { uri: related.uri, range: related.range }, message: related.message })),
    data: { ruleId: diagnostic.ruleId, fixable: !!diagnostic.fix },
  };
}

/** Turns a core fix into a WorkspaceEdit; `linesFor` gives the line index of the text the edit was computed on. */
export function toWorkspaceEdit(fix: Fix, linesFor: (uri: string) => LineIndex | undefined): WorkspaceEdit | undefined {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const edit of fix.edits()) {
    const lines = linesFor(edit.uri);
    if (!lines) return undefined;
    (changes[edit.uri] ??= []).push({ range: { start: lines.positionAt(edit.start), end: lines.positionAt(edit.end) }, newText: edit.newText });
  }
  return { changes };
}

export function quickFixAction(fix: Fix, lspDiagnostic: LspDiagnostic, edit: WorkspaceEdit): CodeAction {
  return { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [lspDiagnostic], isPreferred: !!fix.isPreferred, edit };
}
