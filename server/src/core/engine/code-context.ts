import ts from 'typescript';
import type { Finding, Fix, Severity } from '../types';
import type { ExtractedRoute, RouteExtraction } from '../code/extract';
import type { AppFacts, SourceSpan } from '../code/model';
import { OperationIndex } from '../drift/match';
import type { SpecDocument } from '../spec/document';

/** The code (and specs) of the workspace a code file belongs to, extracted once and shared. */
export interface CodeWorkspaceView {
  extraction: RouteExtraction;
  /** OpenAPI documents of the same workspace, for drift. */
  specs: SpecDocument[];
  operations: OperationIndex;
}

/** `operations`: the index of these very specs, when the host kept it from an earlier view. */
export function codeWorkspaceView(extraction: RouteExtraction, specs: SpecDocument[], operations = new OperationIndex(specs)): CodeWorkspaceView {
  return { extraction, specs, operations };
}

export interface CodeReport {
  span: { start: number; end: number; file?: string } | ts.Node;
  message: string;
  related?: { uri: string; span: { start: number; end: number }; message: string }[];
  fix?: Fix;
  severity?: Severity;
}

/**
 * What a code rule reads: the file's syntax tree, the routes declared in it (with prefixes from
 * mounts in other files already applied), every route and app-level fact of the workspace, and the
 * workspace's OpenAPI operations. Rules report spans; the engine turns them into ranges.
 */
export class CodeContext {
  readonly findings: Finding[] = [];
  ruleId = '';
  severity: Severity = 'warning';

  /** What the drift rules compare: the workspace, or the spec/code pairing the folder's config names. */
  driftWorkspace?: CodeWorkspaceView;
  /** State a rule keeps between analyses of this file in the editor (`DocumentMemory.ruleState`); absent in the CLI. */
  memory?: Map<string, unknown>;

  constructor(readonly uri: string, readonly source: ts.SourceFile, readonly workspace: CodeWorkspaceView) {}

  get facts(): AppFacts { return this.workspace.extraction.facts; }
  get allRoutes(): ExtractedRoute[] { return this.workspace.extraction.routes; }

  /** Routes whose declaration is in this file. */
  routes(): ExtractedRoute[] {
    return this.workspace.extraction.routes.filter((route) => route.declaration.file === this.uri);
  }

  text(span: { start: number; end: number }): string {
    return this.source.text.slice(span.start, span.end);
  }

  isInFile(span: SourceSpan | { file?: string }): boolean {
    return !span.file || span.file === this.uri;
  }

  report(report: CodeReport): void {
    const span = 'kind' in report.span ? { start: (report.span as ts.Node).getStart(this.source), end: (report.span as ts.Node).getEnd(), file: this.uri } : report.span;
    if (span.file && span.file !== this.uri) return;
    this.findings.push({
      ruleId: this.ruleId, severity: report.severity ?? this.severity, message: report.message, uri: this.uri,
      span: { start: span.start, end: span.end }, related: report.related, fix: report.fix,
    });
  }
}
