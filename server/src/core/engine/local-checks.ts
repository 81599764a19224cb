import type ts from 'typescript';
import type { ExtractedRoute } from '../code/extract';
import type { Rule } from '../rules/rule';
import type { Finding } from '../types';
import type { CodeContext } from './code-context';

/** A finding of a local check as recorded: offsets from the start of its statement. */
interface RecordedFinding {
  severity: Finding['severity'];
  message: string;
  start: number;
  end: number;
  related?: { start: number; end: number; message: string }[];
}

/**
 * The editor's memory of what local checks reported: route checks (`Rule.checkRoute`) and
 * statement checks (`Rule.checkStatement`). What they report depends only on the syntax of one
 * top-level statement (and, for a route, on its model), and the incremental parser hands an
 * unchanged statement over as the same node. So findings are kept per statement node, under the
 * check (rule, severity, the file-level facts of `Rule.localEnvironment`) and, for a route, its
 * model (`routeKey`: the parts read from outside the statement, such as prefixes, inherited
 * middleware and global guards). A keystroke then checks the statement it touched and replays the
 * findings of the others, moved to where their statements are now.
 *
 * Findings are kept only when they and their related locations lie inside the statement, and
 * none offers a fix: whether a fix exists and what it does may depend on the rest of the file (the
 * imports it adds, a helper it reuses), so a check whose findings offer fixes runs every time.
 */
export class LocalFindingsMemory {
  /**
   * Per rule: the check its findings were made under (rule, severity, file-level facts), and per
   * statement node, per route model ('' for the statement), the findings. A check made under other
   * facts replaces the rule's entry, so typing in an import does not pile up past checks.
   */
  private readonly byRule = new Map<string, { check: string; statements: WeakMap<ts.Node, Map<string, RecordedFinding[]>> }>();
  /** How many local checks ran (not replayed): tests read it. */
  checked = 0;

  /** The findings kept for one check, by statement node: looked up once per analysis and rule. */
  findingsOf(ruleId: string, check: string): WeakMap<ts.Node, Map<string, RecordedFinding[]>> {
    let kept = this.byRule.get(ruleId);
    if (!kept || kept.check !== check) this.byRule.set(ruleId, kept = { check, statements: new WeakMap() });
    return kept.statements;
  }
}

/** Keeps `findings` of one check on `statement` under `route`, when they can be replayed (see LocalFindingsMemory). */
function remember(kept: WeakMap<ts.Node, Map<string, RecordedFinding[]>>, statement: ts.Node, route: string, uri: string, findings: Finding[]): void {
  const inside = (span: { start: number; end: number }) => span.start >= statement.pos && span.end <= statement.end;
  if (!findings.every((finding) => !finding.fix && finding.uri === uri && inside(finding.span) && (finding.related ?? []).every((related) => related.uri === uri && inside(related.span)))) return;
  let routes = kept.get(statement);
  if (!routes) kept.set(statement, routes = new Map());
  // Offsets from the statement's start: they hold wherever the parser moves the statement.
  routes.set(route, findings.map((finding) => ({
    severity: finding.severity,
    message: finding.message,
    start: finding.span.start - statement.pos,
    end: finding.span.end - statement.pos,
    related: finding.related?.map((related) => ({ start: related.span.start - statement.pos, end: related.span.end - statement.pos, message: related.message })),
  })));
}

/** A route of the file with the statement declaring it, when its check can be kept (see LocalFindingsMemory). */
interface CheckedRoute { route: ExtractedRoute; statement?: ts.Node; key: string }

/**
 * Runs the local checks of one analysis of a code file, through the editor's memory when there is
 * one: each rule's `checkRoute` over every route declared in the file, its `checkStatement` over
 * every top-level statement.
 */
export class LocalChecks {
  private routes?: CheckedRoute[];

  constructor(private readonly context: CodeContext, private readonly memory?: LocalFindingsMemory) {}

  run(rule: Rule): void {
    if (!rule.checkRoute && !rule.checkStatement) return;
    const context = this.context;
    const memory = this.memory;
    const environment = rule.localEnvironment?.(context);
    const kept = memory?.findingsOf(rule.id, `${context.severity}\0${JSON.stringify(environment) ?? ''}`);
    if (rule.checkRoute) {
      for (const { route, statement, key } of this.routesOfFile()) {
        const known = statement && kept?.get(statement)?.get(key);
        if (known) { this.replay(known, statement.pos); continue; }
        const before = context.findings.length;
        rule.checkRoute(context, route, environment);
        if (statement && kept) this.remembered(kept, statement, key, before);
      }
    }
    if (rule.checkStatement) {
      for (const statement of context.source.statements) {
        const known = kept?.get(statement)?.get('');
        if (known) { this.replay(known, statement.pos); continue; }
        const before = context.findings.length;
        rule.checkStatement(context, statement, environment);
        if (kept) this.remembered(kept, statement, '', before);
      }
    }
  }

  private routesOfFile(): CheckedRoute[] {
    if (this.routes) return this.routes;
    const statements = this.context.source.statements;
    return this.routes = this.context.routes().map((route) => {
      const statement = this.memory ? statementHolding(statements, route) : undefined;
      return { route, statement, key: statement ? routeKey(route, statement) : '' };
    });
  }

  private remembered(kept: WeakMap<ts.Node, Map<string, RecordedFinding[]>>, statement: ts.Node, key: string, before: number): void {
    this.memory!.checked++;
    remember(kept, statement, key, this.context.uri, this.context.findings.slice(before));
  }

  /** Findings kept for a statement, moved to where it is now. */
  private replay(known: RecordedFinding[], base: number): void {
    const context = this.context;
    for (const finding of known) {
      context.findings.push({
        ruleId: context.ruleId, severity: finding.severity, message: finding.message, uri: context.uri,
        span: { start: finding.start + base, end: finding.end + base },
        related: finding.related?.map((related) => ({ uri: context.uri, span: { start: related.start + base, end: related.end + base }, message: related.message })),
      });
    }
  }
}

/**
 * The top-level statement declaring `route`, when its handler is written inside it too (a handler
 * defined elsewhere could change while the statement does not).
 */
function statementHolding(statements: ts.NodeArray<ts.Statement>, route: ExtractedRoute): ts.Node | undefined {
  const start = route.declaration.start;
  let low = 0;
  let high = statements.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const statement = statements[middle];
    if (statement.end <= start) low = middle + 1;
    else if (statement.pos > start) high = middle - 1;
    else {
      const inside = (span: { start: number; end: number }) => span.start >= statement.pos && span.end <= statement.end;
      return inside(route.declaration) && (!route.handler || inside(route.handler.span)) ? statement : undefined;
    }
  }
  return undefined;
}

/**
 * What a route check may read of a route beyond its statement's text: the parts of its model that
 * come from elsewhere (mount prefixes, middleware and guards applied around it, the app serving
 * it), and where in the statement it is declared.
 */
function routeKey(route: ExtractedRoute, statement: ts.Node): string {
  return [
    route.framework, route.method, route.path, route.auth, route.validated, route.markedPublic, route.app ?? '',
    route.middleware.map((middleware) => middleware.name).join(','), route.declaration.start - statement.pos,
  ].join('\0');
}
