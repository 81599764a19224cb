import { detectFileKind, type FileKind } from '../detect';
import type { SpecDocument } from '../spec/document';
import { parseSpecDocumentFast } from '../spec/chunked-yaml';
import { RefResolver, type WorkspaceHost } from '../spec/refs';
import { LineIndex } from '../text';
import type { Diagnostic, Finding, Severity } from '../types';
import type { Rule } from '../rules/rule';
import { allRules } from '../rules';
import { defaultConfig, effectiveSeverity, type ApilensConfig } from './config';
import { SpecContext } from './spec-context';
import { readSuppressions } from './suppressions';
import { checkInput, maxNesting, type CheckedText, type InputProblem } from './input-limits';
import { CodeContext, codeWorkspaceView, type CodeWorkspaceView } from './code-context';
import { LocalChecks } from './local-checks';
import { pairedView } from '../drift/pairing';
import { extractRoutes, looksLikeRouteCode } from '../code/extract';
import { parseSource } from '../code/ast';
import type { DocumentMemory, FindingsOfVersion } from './document-memory';

export interface AnalysisInput {
  uri: string;
  /** The text; not read when `document` is given, unless a problem must be reported on it. */
  text: string;
  /** The editor's language id, when known (helps files without a telling extension). */
  languageId?: string;
  /**
   * The host's parse of this very text (the editor's open document), used as it is: the editor's
   * large documents are held in pieces, and detecting, checking and parsing the text again would
   * join a 10 MB copy on every keystroke.
   */
  document?: SpecDocument;
}

export interface AnalysisOptions {
  host: WorkspaceHost;
  config?: ApilensConfig;
  rules?: readonly Rule[];
  /** Documents the host already parsed (open editors), reused for cross-file $refs. */
  openDocument?: (uri: string) => SpecDocument | undefined;
  /** Internal problems (a rule that threw) go here, never into diagnostics. */
  log?: (message: string) => void;
  /** Analysis stops starting new rules after this many milliseconds and says which were skipped. */
  timeBudgetMs?: number;
  /** Called between rules; returning true abandons the analysis (a newer version arrived). */
  isCancelled?: () => boolean;
  /**
   * The workspace's route code and specs (for code rules and drift). Hosts build it once per
   * workspace change; without it a code file is analysed on its own and specs see no code.
   */
  codeWorkspace?: (uri: string) => CodeWorkspaceView | undefined;
  /** What the editor kept from this document's previous versions (see DocumentMemory). */
  memory?: DocumentMemory;
}

export interface AnalysisResult {
  kind: FileKind;
  diagnostics: Diagnostic[];
  /** The parsed document (specs only), for hosts that serve other features from it. */
  doc?: SpecDocument;
  skippedRules: string[];
  cancelled?: boolean;
}

/** Diagnostics that come from the engine itself rather than a rule. */
export const ENGINE_CODES = {
  parseError: 'parse-error', fileTooLarge: 'file-too-large', analysisIncomplete: 'analysis-incomplete', notText: 'not-text', tooDeep: 'too-deep',
} as const;

/** Each parsed version's answer, kept: the editor analyses a version again when route code changes. */
const inputProblems = new WeakMap<SpecDocument, InputProblem | undefined>();

function inputProblemOf(doc: SpecDocument): InputProblem | undefined {
  if (!inputProblems.has(doc)) inputProblems.set(doc, checkInput(checkedTextOf(doc)));
  return inputProblems.get(doc);
}

/** What the input checks read of a parsed document, without joining a text held in pieces. */
function checkedTextOf(doc: SpecDocument): CheckedText {
  return { length: doc.lines.length, slice: doc.slice, indexOf: (needle) => doc.indexOf(needle), nesting: doc.nesting ?? (() => maxNesting(doc.text)) };
}

function engineDiagnostic(input: AnalysisInput, ruleId: string, message: string, offset: number): Diagnostic {
  const lines = new LineIndex(input.text.length > 1 << 20 ? input.text.slice(0, offset + 1000) : input.text);
  const start = lines.positionAt(offset);
  return { ruleId, severity: 'error', uri: input.uri, message, range: { start, end: { line: start.line, character: start.character + 1 } } };
}

const DEFAULT_TIME_BUDGET_MS = 20_000;

/**
 * The one entry point both hosts call: decides what the file is, parses it once, runs every enabled
 * rule over the shared model (each isolated), and returns positioned diagnostics.
 */
export function analyzeFile(input: AnalysisInput, options: AnalysisOptions): AnalysisResult {
  return runToEnd(analysisSteps(input, options));
}

/**
 * The same analysis for a host that must stay responsive (the language server): between rules it
 * gives the event loop a turn whenever a slice of work has run, so hover, completion and the next
 * didChange are handled meanwhile, and `isCancelled` can see that a newer version arrived.
 */
export async function analyzeFileAsync(input: AnalysisInput, options: AnalysisOptions, sliceMs = 15): Promise<AnalysisResult> {
  const steps = analysisSteps(input, options);
  let sliceStarted = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStarted >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
  }
}

function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The analysis as steps: it yields after each rule, so a host can interleave other work. */
function* analysisSteps(input: AnalysisInput, options: AnalysisOptions): Generator<void, AnalysisResult> {
  const config = options.config ?? defaultConfig();
  const given = input.document;
  const kind: FileKind = given ? { kind: 'spec', format: given.format } : detectFileKind(input.uri, input.text.slice(0, 1 << 20), input.languageId);
  if (kind.kind === 'other') return { kind, diagnostics: [], skippedRules: [] };
  const length = given ? given.lines.length : input.text.length;
  if (length > config.maxFileSize) {
    const lines = new LineIndex(given ? given.slice(0, 10_000) : input.text.slice(0, 10_000));
    return {
      kind,
      skippedRules: [],
      diagnostics: [{
        ruleId: ENGINE_CODES.fileTooLarge, severity: 'warning', uri: input.uri,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: lines.lineText(0).length } },
        message: `Document too large to analyse: ${formatSize(length)} > ${formatSize(config.maxFileSize)} limit (apilens.maxFileSize).`,
      }],
    };
  }
  // The editor's parse of this very text knows its nesting and NUL bytes, chunk by chunk.
  const opened = kind.kind === 'spec' && !given ? options.openDocument?.(input.uri) : undefined;
  const known = given ?? (opened?.text === input.text ? opened : undefined);
  const problem = known ? inputProblemOf(known) : checkInput(input.text);
  if (problem && kind.kind === 'code') return { kind, diagnostics: [], skippedRules: [] };
  if (kind.kind === 'code') return yield* analyzeCodeFile(input, options, config, kind);
  if (problem) return { kind, skippedRules: [], diagnostics: [engineDiagnostic(input, problem.code === 'binary' ? ENGINE_CODES.notText : ENGINE_CODES.tooDeep, problem.message, problem.offset)] };
  let doc: SpecDocument;
  try {
    doc = known ?? parseSpecDocumentFast(input.uri, input.text, kind.format);
  } catch (error) {
    // The parsers do not throw on bad syntax; this is a resource limit (stack, memory).
    options.log?.(`apilens: could not parse ${input.uri}: ${(error as Error)?.message}`);
    return { kind, skippedRules: [], diagnostics: [engineDiagnostic(input, ENGINE_CODES.parseError, `Document could not be parsed: ${(error as Error)?.message ?? error}.`, 0)] };
  }
  return yield* specSteps(doc, options, config, kind);
}

interface RuleHost { ruleId: string; severity: Severity; findings: Finding[] }

/** Runs rules over one shared context: severities, isolation of failures, time budget, cancellation. */
function* runRules(rules: Rule[], config: ApilensConfig, options: AnalysisOptions, uri: string, precheck: (rule: Rule) => 'skip' | undefined, host: RuleHost, check: (rule: Rule) => void): Generator<void, { skippedRules: string[]; budget: number; cancelled?: boolean }> {
  const budget = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const started = Date.now();
  const skippedRules: string[] = [];
  for (const rule of rules) {
    const severity = effectiveSeverity(config, rule.id, rule.severity);
    if (severity === 'off' || precheck(rule) === 'skip') continue;
    if (options.isCancelled?.()) return { skippedRules, budget, cancelled: true };
    if (Date.now() - started > budget) { skippedRules.push(rule.id); continue; }
    host.ruleId = rule.id;
    host.severity = severity;
    const before = host.findings.length;
    try {
      check(rule);
    } catch (error) {
      // One broken rule must not silence the others: drop its partial output, log, go on.
      host.findings.length = before;
      options.log?.(`apilens internal error in rule ${rule.id} on ${uri}: ${(error as Error)?.stack ?? error}`);
    }
    yield;
  }
  return { skippedRules, budget };
}

/** Code files that declare no routes still matter to a few rules (token signing, cookies, sessions). */
const CODE_RULE_HINTS = /jsonwebtoken|\bjwt\b|JwtModule|jwtService|\.cookie\(|express-session|cookie-session/i;

function* analyzeCodeFile(input: AnalysisInput, options: AnalysisOptions, config: ApilensConfig, kind: FileKind): Generator<void, AnalysisResult> {
  const workspace = options.codeWorkspace?.(input.uri) ?? codeWorkspaceView(extractRoutes([{ path: input.uri, text: input.text }]), []);
  const rules = (options.rules ?? allRules).filter((rule) => rule.checkCode || rule.checkRoute || rule.checkStatement);
  if (rules.length === 0 || !(looksLikeRouteCode(input.text) || CODE_RULE_HINTS.test(input.text))) return { kind, diagnostics: [], skippedRules: [] };
  const source = workspace.extraction.sources.get(input.uri) ?? parseSource(input.uri, input.text);
  const context = new CodeContext(input.uri, source, workspace);
  context.driftWorkspace = pairedView(workspace, config.service);
  context.memory = options.memory?.ruleState;
  const localChecks = new LocalChecks(context, options.memory?.localFindings);
  const run = yield* runRules(rules, config, options, input.uri, () => undefined, context, (rule) => {
    rule.checkCode?.(context);
    localChecks.run(rule);
  });
  if (run.cancelled) return { kind, diagnostics: [], skippedRules: run.skippedRules, cancelled: true };
  const lines = new LineIndex(input.text);
  const suppressions = readSuppressions(input.text, lines);
  const kept = context.findings.filter((finding) => finding.uri === input.uri && !suppressions.isSuppressed(finding.ruleId, lines.positionAt(finding.span.start).line));
  const diagnostics = kept.map((finding): Diagnostic => ({
    ruleId: finding.ruleId, severity: finding.severity, message: finding.message, uri: finding.uri, range: lines.rangeOf(finding.span), fix: finding.fix,
    related: finding.related?.map((related) => ({ uri: related.uri, range: related.uri === input.uri ? lines.rangeOf(related.span) : relatedRange(workspace, related.uri, related.span), message: related.message })),
  })).sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { kind, diagnostics, skippedRules: run.skippedRules };
}

/** Positions in another file of the workspace (a spec or another route file) for related information. */
function relatedRange(workspace: CodeWorkspaceView, uri: string, span: { start: number; end: number }) {
  const spec = workspace.specs.find((doc) => doc.uri === uri);
  if (spec) return spec.lines.rangeOf(span);
  const source = workspace.extraction.sources.get(uri);
  return new LineIndex(source?.text ?? '').rangeOf(span);
}

export function analyzeSpecDocument(doc: SpecDocument, options: AnalysisOptions, config: ApilensConfig = options.config ?? defaultConfig(), kind: FileKind = { kind: 'spec', format: doc.format }): AnalysisResult {
  return runToEnd(specSteps(doc, options, config, kind));
}

function* specSteps(doc: SpecDocument, options: AnalysisOptions, config: ApilensConfig, kind: FileKind): Generator<void, AnalysisResult> {
  const findings: Finding[] = doc.syntaxErrors.map((error) => ({
    ruleId: ENGINE_CODES.parseError, severity: 'error' as Severity, uri: doc.uri, span: error.span, message: error.message,
  }));
  // A file that parsed but has no top-level openapi/swagger key is not an OpenAPI document after all.
  const root = doc.root;
  const isOpenApi = !!root && typeof root === 'object' && !Array.isArray(root) && ('openapi' in root || 'swagger' in root);
  if (!isOpenApi) {
    return { kind: doc.syntaxErrors.length > 0 ? kind : { kind: 'other' }, doc, skippedRules: [], diagnostics: doc.syntaxErrors.length > 0 ? toDiagnostics(findings, doc) : [] };
  }
  const refs = new RefResolver(options.host, options.openDocument);
  const context = new SpecContext(doc, refs);
  context.memory = options.memory?.ruleState;
  context.pathItemMemory = options.memory;
  context.code = pairedView(options.codeWorkspace?.(doc.uri), config.service);
  // The same version analysed again (route code changed, for drift): a rule that did not read the
  // code last time finds what it found then.
  const memory = options.memory;
  const configJson = memory ? JSON.stringify(config) : '';
  const last = memory?.findingsOfVersion;
  const reusable = last && last.doc === doc && last.config === configJson ? last.byRule : undefined;
  const byRule: FindingsOfVersion['byRule'] = new Map();
  const run = yield* runRules((options.rules ?? allRules).filter((rule) => rule.checkSpec), config, options, doc.uri, (rule) => {
    // Schema validation on a half-typed document only repeats what the syntax error says.
    if (rule.id === 'oas-schema-valid' && doc.syntaxErrors.length > 0) return 'skip';
    return undefined;
  }, context, (rule) => {
    const previous = reusable?.get(rule.id);
    if (previous && !previous.readCode && previous.severity === context.severity) {
      context.findings.push(...previous.findings);
      byRule.set(rule.id, previous);
      return;
    }
    const before = context.findings.length;
    if (memory && rule.scope === 'path-item') memory.runPathItemRule(rule, context);
    else rule.checkSpec!(context);
    rule.checkWholeDocument?.(context);
    byRule.set(rule.id, { severity: context.severity, findings: context.findings.slice(before), readCode: context.readsCode(rule.id) });
  });
  if (run.cancelled) return { kind, doc, diagnostics: [], skippedRules: run.skippedRules, cancelled: true };
  const { skippedRules, budget } = run;
  // Findings that depend on another file (a $ref into it) are not kept: that file may change alone.
  if (memory) memory.findingsOfVersion = refs.followedOtherFiles ? undefined : { doc, config: configJson, byRule };
  // Findings are published per file: one located in another file (a $ref target that is not an
  // OpenAPI root) is the rule's job to anchor at the referencing node here, with related information.
  findings.push(...context.findings.filter((finding) => finding.uri === doc.uri));
  const suppressions = readSuppressions(doc, doc.lines);
  const kept = findings.filter((finding) => finding.uri !== doc.uri || !suppressions.isSuppressed(finding.ruleId, doc.lines.positionAt(finding.span.start).line));
  const diagnostics = toDiagnostics(kept, doc, refs, (uri) => {
    const source = context.code?.extraction.sources.get(uri);
    return source ? new LineIndex(source.text) : undefined;
  });
  if (skippedRules.length > 0) {
    diagnostics.push({
      ruleId: ENGINE_CODES.analysisIncomplete, severity: 'info', uri: doc.uri,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: `Analysis stopped after ${budget} ms; rules not run: ${skippedRules.join(', ')}.`,
    });
  }
  return { kind, doc, diagnostics, skippedRules };
}

function toDiagnostics(findings: Finding[], doc: SpecDocument, refs?: RefResolver, otherLines?: (uri: string) => LineIndex | undefined): Diagnostic[] {
  const linesFor = (uri: string) => (uri === doc.uri ? doc.lines : refs?.documentFor(uri)?.lines ?? otherLines?.(uri) ?? doc.lines);
  const unique = new Map<string, Diagnostic>();
  for (const finding of findings) {
    const diagnostic: Diagnostic = {
      ruleId: finding.ruleId,
      severity: finding.severity,
      message: finding.message,
      uri: finding.uri,
      range: linesFor(finding.uri).rangeOf(finding.span),
      related: finding.related?.map((related) => ({ uri: related.uri, range: linesFor(related.uri).rangeOf(related.span), message: related.message })),
      fix: finding.fix,
    };
    const key = `${diagnostic.uri}|${diagnostic.ruleId}|${diagnostic.range.start.line}:${diagnostic.range.start.character}|${diagnostic.message}`;
    if (!unique.has(key)) unique.set(key, diagnostic);
  }
  return [...unique.values()].sort(byPosition);
}

/** Diagnostics in reading order; ties in a fixed order, so equal results are equal lists. */
function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character
    || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}
