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
  /** Per statement node: per check (rule, severity, file-level facts), per route model ('' for the statement), the findings. */
  private readonly byStatement = new WeakMap<ts.Node, Map<string, Map<string, RecordedFinding[]>>>();
  /** How many local checks ran (not replayed): tests read it. */
  checked = 0;

  recall(statement: ts.Node, check: string, route: string): RecordedFinding[] | undefined {
    return this.byStatement.get(statement)?.get(check)?.get(route);
  }

  remember(statement: ts.Node, check: string, route: string, uri: string, findings: Finding[]): void {
    const inside = (span: { start: number; end: number }) => span.start >= statement.pos && span.end <= statement.end;
    if (!findings.every((finding) => !finding.fix && finding.uri === uri && inside(finding.span) && (finding.related ?? []).every((related) => related.uri === uri && inside(related.span)))) return;
    let checks = this.byStatement.get(statement);
    if (!checks) this.byStatement.set(statement, checks = new Map());
    let routes = checks.get(check);
    if (!routes) checks.set(check, routes = new Map());
    // Offsets from the statement's start: they hold wherever the parser moves the statement.
    routes.set(route, findings.map((finding) => ({
      severity: finding.severity,
      message: finding.message,
      start: finding.span.start - statement.pos,
      end: finding.span.end - statement.pos,
      related: finding.related?.map((related) => ({ start: related.span.start - statement.pos, end: related.span.end - statement.pos, message: related.message })),
    })));
  }
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
    const environment = rule.localEnvironment?.(this.context);
    const check = `${rule.id}\0${this.context.severity}\0${JSON.stringify(environment) ?? ''}`;
    if (rule.checkRoute) {
      for (const { route, statement, key } of this.routesOfFile()) {
        this.runOne(statement, check, key, (context) => rule.checkRoute!(context, route, environment));
      }
    }
    if (rule.checkStatement) {
      for (const statement of this.context.source.statements) {
        this.runOne(this.memory ? statement : undefined, check, '', (context) => rule.checkStatement!(context, statement, environment));
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

  /** Runs one check, or replays what it reported on the same statement; `statement` undefined: never kept. */
  private runOne(statement: ts.Node | undefined, check: string, part: string, run: (context: CodeContext) => void): void {
    const context = this.context;
    if (!this.memory || !statement) {
      run(context);
      return;
    }
    const known = this.memory.recall(statement, check, part);
    if (known) {
      for (const finding of known) context.findings.push(this.replayed(finding, statement.pos));
      return;
    }
    this.memory.checked++;
    const before = context.findings.length;
    run(context);
    this.memory.remember(statement, check, part, context.uri, context.findings.slice(before));
  }

  private replayed(finding: RecordedFinding, base: number): Finding {
    const context = this.context;
    return {
      ruleId: context.ruleId, severity: finding.severity, message: finding.message, uri: context.uri,
      span: { start: finding.start + base, end: finding.end + base },
      related: finding.related?.map((related) => ({ uri: context.uri, span: { start: related.start + base, end: related.end + base }, message: related.message })),
    };
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
