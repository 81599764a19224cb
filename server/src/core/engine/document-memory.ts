import type { SpecDocument } from '../spec/document';
import type { RefResult } from '../spec/refs';
import type { Rule, SpecReport } from '../rules/rule';
import type { Finding, Fix, Severity } from '../types';
import { SpecContext, isRecord, isSeenFromPathItems } from './spec-context';
import { sameValue } from '../spec/value-reuse';
import { LocalFindingsMemory } from './local-checks';

/**
 * What a check or a reading of one path item depended on (a path-item rule's reports, or what a
 * rule read with `SpecContext.readPathItems`, hold one). It stays valid while the path item is the
 * same object (the chunked parser keeps the value of every unchanged chunk), every `$ref` followed
 * leads to the same value, and the document outside `paths` and the component maps is the same
 * (see `environmentOf`). Records of one path item that followed the same refs share one
 * (`DocumentMemory.shared`), so it is judged once per analysis, not once per rule.
 */
class Dependencies {
  /** The analysis it was last judged in, and the answer then. */
  judgedIn = -1;
  valid = false;
  /** The record of a check that read these and reported nothing, shared by every rule that did (most). */
  quietRecord?: PathItemRecord;
  constructor(
    readonly key: string,
    readonly value: unknown,
    /** Sorted by ref, so that two runs following the same refs in another order share. */
    readonly refs: { ref: string; ok: boolean; value?: unknown; reason?: string }[],
    /**
     * The root keys its `$ref`s point into (`components`), or undefined when one points elsewhere
     * (another file, the root itself). When those root values are the very objects of the
     * analysis the refs were last confirmed in, every ref still leads to the same value without
     * resolving it again.
     */
    readonly refRoots: string[] | undefined,
    /**
     * The component entries its `$ref`s point into, as key paths from the root (`components`,
     * `schemas`, `User`, joined by ENTRY_SEPARATOR), or undefined when one points elsewhere. An
     * edit in one component makes a new `components` object but leaves the other entries the same
     * objects: when every entry here is, the refs still lead to their values.
     */
    readonly refEntries: string[] | undefined,
    /** The analysis in which the refs were last found leading to their values. */
    public confirmedIn: number,
  ) {}

  sameAs(other: Dependencies): boolean {
    if (other.value !== this.value || other.refs.length !== this.refs.length) return false;
    for (let i = 0; i < this.refs.length; i++) {
      const a = this.refs[i];
      const b = other.refs[i];
      if (a.ref !== b.ref || a.ok !== b.ok || a.value !== b.value || a.reason !== b.reason) return false;
    }
    return true;
  }
}

/** Reports as written, with `doc` left out (they were all in this document) and fixes described, not kept. */
type RecordedReport = Omit<SpecReport, 'fix'> & { fix?: { title: string; isPreferred?: boolean } };

interface PathItemRecord {
  dependencies: Dependencies;
  reports: RecordedReport[];
}

/** What a rule read of one path item (`SpecContext.readPathItems`), kept on the same terms as a record. */
interface ReadingRecord {
  dependencies: Dependencies;
  reading: unknown;
}

const NO_REFS: Dependencies['refs'] = [];
const NO_REPORTS: RecordedReport[] = [];

/** Maps whose entries rules reach through `$ref`s (recorded), never by reading the map. */
const REFERENCED_MAPS = new Set(['schemas', 'responses', 'parameters', 'examples', 'requestBodies', 'headers', 'links', 'callbacks', 'pathItems']);
const REFERENCED_MAPS_2_0 = new Set(['definitions', 'parameters', 'responses']);

/**
 * Each rule's findings in the last complete analysis of one version of a spec, under one
 * configuration. The same version is analysed again when route code changes (drift); then only the
 * rules that read the code run again (see `specSteps`).
 */
export interface FindingsOfVersion {
  doc: SpecDocument;
  /** The configuration they were made under, as JSON. */
  config: string;
  byRule: Map<string, { severity: Severity; findings: Finding[]; readCode: boolean }>;
}

/**
 * What the editor keeps of one open document's analyses from one version to the next.
 *
 * Path-item rules: the engine asks `runPathItemRule`; path items whose record is still valid are
 * reported again from the record (at their new positions), the others are checked one at a time
 * and recorded. The result is the same as checking the whole document (a property test holds the
 * two equal over random edits).
 *
 * `ruleState`: a document-wide rule may keep what it built (compiled example validators, for one)
 * under its id, and must itself check that it still fits the new version before using it.
 */
export class DocumentMemory {
  readonly ruleState = new Map<string, unknown>();
  /** For a spec: its rules' findings in the last analysis, while nothing but code may have changed. */
  findingsOfVersion?: FindingsOfVersion;
  /** For a route file: what its local checks reported, per statement (see LocalFindingsMemory). */
  readonly localFindings = new LocalFindingsMemory();
  /** Per rule: the environment its records were made in, and a record per path key. */
  private readonly records = new Map<string, { environment: unknown[]; items: Map<string, PathItemRecord> }>();
  /** Per reading id (`SpecContext.readPathItems`): the environment it was read in, a record per path key. */
  private readonly readingRecords = new Map<string, { environment: unknown[]; items: Map<string, ReadingRecord> }>();
  private environment?: { of: SpecContext; values: unknown[]; pathKeys: string[] };
  /**
   * One instance of each string the readings and dependencies of this analysis hold (see
   * `shareStrings`): the same label or component key read in a thousand path items is kept once.
   */
  private sharedStrings = new Map<string, string>();
  /** Counts analyses; the roots of this one and the one before, for the `$ref` shortcut. */
  private analysis = 0;
  private roots: { current?: Record<string, unknown>; previous?: Record<string, unknown> } = {};
  /**
   * The component entries (as in `refEntries`) that are not the same objects as in the analysis
   * before, found once per analysis; undefined when that cannot be told entry by entry (a
   * component map added or replaced whole).
   */
  private changedEntries?: Set<string>;
  /** The dependencies records hold, by path key (see `shared`). */
  private readonly dependenciesByKey = new Map<string, Dependencies[]>();
  /** Path items checked and reused in the last analysis (for tests and measurements). */
  checked = 0;
  reused = 0;
  readingsReused = 0;
  /** Dependencies judged (one per path item and set of refs, however many rules recorded it). */
  judged = 0;

  /** Runs `rule` over `context` (a whole-document context), reusing what is still valid. */
  runPathItemRule(rule: Rule, context: SpecContext): void {
    const paths = context.root.paths;
    const { pathKeys, values } = this.environmentFor(context);
    if (!isRecord(paths) || pathKeys.length === 0) {
      this.records.delete(rule.id);
      rule.checkSpec!(context);
      return;
    }
    const environment = rule.environment ? [...values, ...rule.environment(context)] : values;
    const stored = this.records.get(rule.id);
    // The records are updated in place: a keystroke changes one path item, not a thousand.
    const items = stored && sameValues(stored.environment, environment) ? stored.items : new Map<string, PathItemRecord>();
    this.records.set(rule.id, { environment, items });
    // A rule checking the whole document reports a shared node (a component) once, from the first
    // path item that reaches it; checked one path item at a time, later ones would report it again.
    const sharedReported = new Set<string>();
    let kept = 0;
    for (const key of pathKeys) {
      const old = items.get(key);
      if (old && this.stillHolds(old.dependencies, paths, context)) {
        if (old.reports.length > 0) this.replay(rule, context, key, old, sharedReported);
        kept++;
        this.reused++;
        continue;
      }
      const record = this.check(rule, context, key, sharedReported);
      if (record) {
        items.set(key, record);
        kept++;
      } else {
        items.delete(key);
      }
      this.checked++;
    }
    if (items.size !== kept) dropOtherKeys(items, pathKeys);
  }

  /**
   * What `read` gives for each path item, in `paths` order (see `SpecContext.readPathItems`): from
   * the record of a path item that is unchanged, as a path-item rule's reports are, or else read
   * from a context that sees only that path item, and recorded.
   */
  readings<T>(id: string, context: SpecContext, read: (scoped: SpecContext) => T): T[] {
    const paths = context.root.paths;
    const { pathKeys, values } = this.environmentFor(context);
    if (!isRecord(paths)) return [];
    const stored = this.readingRecords.get(id);
    const items = stored && sameValues(stored.environment, values) ? stored.items : new Map<string, ReadingRecord>();
    this.readingRecords.set(id, { environment: values, items });
    const out: T[] = [];
    let kept = 0;
    for (const key of pathKeys) {
      const old = items.get(key);
      if (old && this.stillHolds(old.dependencies, paths, context)) {
        out.push(old.reading as T);
        kept++;
        this.readingsReused++;
        continue;
      }
      const scoped = context.onePathItem(key);
      const { result, dependencies } = this.following(context, key, () => read(scoped));
      out.push(result);
      if (dependencies) {
        items.set(key, { dependencies, reading: shareStrings(result, this.sharedStrings) });
        kept++;
      } else {
        items.delete(key);
      }
    }
    if (items.size !== kept) dropOtherKeys(items, pathKeys);
    return out;
  }

  /** Once per analysis: every path-item rule and reading runs over the same context. */
  private environmentFor(context: SpecContext): { values: unknown[]; pathKeys: string[] } {
    if (this.environment?.of !== context) {
      const paths = context.root.paths;
      this.environment = { of: context, values: environmentOf(context), pathKeys: isRecord(paths) ? Object.keys(paths) : [] };
      this.analysis++;
      this.sharedStrings = new Map();
      this.roots = { previous: this.roots.current, current: context.root };
      this.changedEntries = this.roots.previous && changedComponentEntries(this.roots.previous, context.root);
      if (this.dependenciesByKey.size > this.environment.pathKeys.length) dropOtherKeys(this.dependenciesByKey, this.environment.pathKeys);
    }
    return this.environment;
  }

  /**
   * Runs `run` (a check or a reading of the path item at `key`) and records the `$ref`s it followed;
   * `dependencies` is undefined when what it read cannot be kept (a ref into another document).
   */
  private following<T>(context: SpecContext, key: string, run: () => T): { result: T; dependencies?: Dependencies } {
    let refs: Map<string, Dependencies['refs'][number]> | undefined;
    let cacheable = true;
    context.refs.observer = (from: SpecDocument, ref: string, result: RefResult) => {
      if (from !== context.doc || (result.ok && result.doc !== context.doc)) cacheable = false;
      refs ??= new Map();
      if (!refs.has(ref)) refs.set(ref, result.ok ? { ref, ok: true, value: result.value } : { ref, ok: false, reason: result.reason });
    };
    let result: T;
    try {
      result = run();
    } finally {
      context.refs.observer = undefined;
    }
    if (!cacheable) return { result };
    const recordedRefs = refs ? [...refs.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0)) : NO_REFS;
    const value = (context.root.paths as Record<string, unknown>)[key];
    const refRoots = shareStrings(refRootsOf(recordedRefs), this.sharedStrings);
    const refEntries = shareStrings(refEntriesOf(recordedRefs), this.sharedStrings);
    return { result, dependencies: this.shared(new Dependencies(key, value, recordedRefs, refRoots, refEntries, this.analysis)) };
  }

  /**
   * `made`, or the equal one another record of its path item already holds: about thirty rules and
   * readings record each path item, mostly on the same refs, and a shared one is judged once per
   * analysis. Those of a path item whose value changed are let go here.
   */
  private shared(made: Dependencies): Dependencies {
    // Those found not to hold in this analysis are being replaced (a component they reach changed).
    const kept = this.dependenciesByKey.get(made.key)?.filter((candidate) => candidate.value === made.value && (candidate.judgedIn !== this.analysis || candidate.valid)) ?? [];
    const found = kept.find((candidate) => candidate.sameAs(made)) ?? (kept.push(made), made);
    this.dependenciesByKey.set(made.key, kept);
    // Its refs were just found leading to these values.
    found.judgedIn = this.analysis;
    found.valid = true;
    found.confirmedIn = this.analysis;
    return found;
  }

  /** Checks one path item with a context that sees only it under `paths`, and records what it read. */
  private check(rule: Rule, context: SpecContext, key: string, sharedReported: Set<string>): PathItemRecord | undefined {
    const scoped = this.scopedContext(context, key);
    const { dependencies } = this.following(context, key, () => rule.checkSpec!(scoped));
    const reports = scoped.reports!;
    scoped.findings.forEach((finding, i) => {
      if (!firstReport(reports[i], key, () => `${finding.uri}:${finding.span.start}:${finding.span.end}`, sharedReported)) return;
      const report = reports[i];
      if (finding.fix) finding.fix = wholeDocumentFix(rule, context, report, finding.fix);
      context.findings.push(finding);
    });
    // Reports placed in another document (or pointing there) are not re-located from a record.
    if (reports.some((report) => (report.doc && report.doc !== context.doc) || report.related?.some((related) => (related.doc && related.doc !== context.doc) || related.uri))) return undefined;
    if (!dependencies) return undefined;
    if (reports.length === 0) return dependencies.quietRecord ??= { dependencies, reports: NO_REPORTS };
    return {
      dependencies,
      reports: reports.map(({ fix, doc: _doc, related, ...report }) => ({
        ...report,
        related: related?.map(({ doc: _relatedDoc, ...rest }) => rest),
        fix: fix && { title: fix.title, isPreferred: fix.isPreferred },
      })),
    };
  }

  /** Reports a record's findings again, located in this version; fixes are recomputed when asked. */
  private replay(rule: Rule, context: SpecContext, key: string, record: PathItemRecord, sharedReported: Set<string>): void {
    for (const report of record.reports) {
      const place = () => {
        const span = context.doc.locate(report.at, report.part ?? 'key');
        return `${context.doc.uri}:${span.start}:${span.end}`;
      };
      if (!firstReport(report, key, place, sharedReported)) continue;
      context.report({ ...report, fix: report.fix && wholeDocumentFix(rule, context, report, report.fix) });
    }
  }

  /**
   * The context a rule sees for one path item: new for each rule, so every `$ref` the rule depends
   * on is followed (and recorded) during its own run, never served from another rule's reading.
   */
  private scopedContext(context: SpecContext, key: string): SpecContext {
    const scoped = context.onePathItem(key);
    scoped.reports = [];
    return scoped;
  }

  /** Whether what a record depended on still holds in this analysis: judged once per analysis. */
  private stillHolds(dependencies: Dependencies, paths: Record<string, unknown>, context: SpecContext): boolean {
    if (dependencies.judgedIn !== this.analysis) {
      this.judged++;
      dependencies.judgedIn = this.analysis;
      dependencies.valid = dependencies.value === paths[dependencies.key] && this.refsStillLeadTo(dependencies, context);
    }
    return dependencies.valid;
  }

  private refsStillLeadTo(dependencies: Dependencies, context: SpecContext): boolean {
    const { previous, current } = this.roots;
    // Confirmed in the analysis before, and what the refs point into is the same object now:
    // the root maps, or else the component entries.
    if (dependencies.confirmedIn === this.analysis - 1 && previous && current) {
      if (sameRoots(dependencies.refRoots, previous, current) || sameEntries(dependencies.refEntries, previous, current, this.changedEntries)) {
        dependencies.confirmedIn = this.analysis;
        return true;
      }
    }
    for (const { ref, ok, value, reason } of dependencies.refs) {
      const now = context.refs.resolve(context.doc, ref);
      if (now.ok !== ok || (now.ok ? now.value !== value : now.reason !== reason)) return false;
    }
    dependencies.confirmedIn = this.analysis;
    return true;
  }
}

/** False for a report on a node outside the path item (a shared component) already reported this analysis. */
function firstReport(report: Pick<SpecReport, 'at'>, key: string, placeOf: () => string, sharedReported: Set<string>): boolean {
  if (report.at[0] === 'paths' && report.at[1] === key) return true;
  const place = placeOf();
  if (sharedReported.has(place)) return false;
  sharedReported.add(place);
  return true;
}

/** The root keys `refs` point into, or undefined when one is not a pointer into this document below its root. */
function refRootsOf(refs: Dependencies['refs']): string[] | undefined {
  const keys = new Set<string>();
  for (const { ref } of refs) {
    const match = /^#\/([^/%]+)\//.exec(ref);
    if (!match) return undefined;
    keys.add(match[1].replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return [...keys];
}

/** The component entries `refs` point into (see Dependencies.refEntries), or undefined. */
function refEntriesOf(refs: Dependencies['refs']): string[] | undefined {
  const entries = new Set<string>();
  for (const { ref } of refs) {
    if (!ref.startsWith('#/') || ref.includes('%')) return undefined;
    const tokens = ref.slice(2).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
    const depth = tokens[0] === 'components' ? 3 : REFERENCED_MAPS_2_0.has(tokens[0]) ? 2 : 0;
    if (depth === 0 || tokens.length < depth) return undefined;
    entries.add(tokens.slice(0, depth).join(ENTRY_SEPARATOR));
  }
  return [...entries];
}

const ENTRY_SEPARATOR = '\u0000';

// Plain loops: these run for every rule and path item on every keystroke.
function sameRoots(keys: string[] | undefined, previous: Record<string, unknown>, current: Record<string, unknown>): boolean {
  if (!keys) return false;
  for (let i = 0; i < keys.length; i++) {
    if (current[keys[i]] === undefined || current[keys[i]] !== previous[keys[i]]) return false;
  }
  return true;
}

function sameEntries(entries: string[] | undefined, previous: Record<string, unknown>, current: Record<string, unknown>, changed: Set<string> | undefined): boolean {
  if (!entries) return false;
  for (let i = 0; i < entries.length; i++) {
    if (changed ? changed.has(entries[i]) : ownValueAt(current, entries[i].split(ENTRY_SEPARATOR)) !== ownValueAt(previous, entries[i].split(ENTRY_SEPARATOR))) return false;
  }
  return true;
}

/** Removes the records of path keys that are gone from `paths`. */
function dropOtherKeys(items: Map<string, unknown>, pathKeys: string[]): void {
  const current = new Set(pathKeys);
  for (const key of [...items.keys()]) if (!current.has(key)) items.delete(key);
}

/**
 * The component entries (`components/<map>/<name>`, 2.0's `definitions/<name>`...) whose value is
 * not the same object in `current` as in `previous`, joined as in `refEntries`: comparing the maps
 * once per analysis, rather than each record's entries. Undefined when a map was added, removed
 * or replaced by something else than a map.
 */
function changedComponentEntries(previous: Record<string, unknown>, current: Record<string, unknown>): Set<string> | undefined {
  const changed = new Set<string>();
  const own = (record: Record<string, unknown>, key: string) => (Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined);
  const compare = (prefix: string, before: unknown, after: unknown): boolean => {
    if (before === after) return true;
    if (!isRecord(before) || !isRecord(after)) return false;
    for (const name of Object.keys(after)) if (own(before, name) !== after[name]) changed.add(prefix + name);
    for (const name of Object.keys(before)) if (!Object.prototype.hasOwnProperty.call(after, name)) changed.add(prefix + name);
    return true;
  };
  const before = own(previous, 'components');
  const after = own(current, 'components');
  if (before !== after) {
    if (!isRecord(before) || !isRecord(after)) return undefined;
    for (const map of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!compare(`components${ENTRY_SEPARATOR}${map}${ENTRY_SEPARATOR}`, own(before, map), own(after, map))) return undefined;
    }
  }
  for (const map of REFERENCED_MAPS_2_0) {
    if (!compare(`${map}${ENTRY_SEPARATOR}`, own(previous, map), own(current, map))) return undefined;
  }
  return changed;
}

/** The value at `path` below `root` through own properties only (undefined where one is missing). */
function ownValueAt(root: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (!isRecord(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

function sameValues(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => sameValue(value, b[i]));
}


/**
 * Everything outside `paths` a path-item rule may read directly, as a flat list of values to compare
 * by identity: root keys and their values, with `components` (and 2.0's shared maps) opened one
 * level and the maps reached only through `$ref`s left out.
 */
function environmentOf(context: SpecContext): unknown[] {
  const root = context.root;
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(root)) {
    // What a check of one path item cannot see (isSeenFromPathItems) cannot change its findings.
    if (key === 'paths' || !isSeenFromPathItems(key)) continue;
    if (context.isSwagger2 && REFERENCED_MAPS_2_0.has(key)) { out.push(key); continue; }
    if (key === 'components' && isRecord(value)) {
      out.push(key);
      for (const [name, map] of Object.entries(value)) out.push(name, REFERENCED_MAPS.has(name) ? true : map);
      continue;
    }
    out.push(key, value);
  }
  return out;
}



/**
 * A fix as checking the whole document gives it: a rule may build its repair from the whole
 * document (the 401 response most operations already use), which a check of one path item does
 * not see. Computed when an editor asks, from one whole-document run of the rule per analysis.
 */
function wholeDocumentFix(rule: Rule, context: SpecContext, wanted: Pick<SpecReport, 'at' | 'message'>, fix: { title: string; isPreferred?: boolean }): Fix {
  return {
    title: fix.title,
    isPreferred: fix.isPreferred,
    edits: () => {
      const reports = wholeDocumentReports(rule, context);
      const same = reports.get(reportKey(wanted.at, wanted.message, fix.title));
      return same?.fix ? same.fix.edits() : [];
    },
  };
}

const wholeRuns = new WeakMap<SpecContext, Map<string, Map<string, SpecReport>>>();

function wholeDocumentReports(rule: Rule, context: SpecContext): Map<string, SpecReport> {
  let byRule = wholeRuns.get(context);
  if (!byRule) wholeRuns.set(context, byRule = new Map());
  let reports = byRule.get(rule.id);
  if (!reports) {
    const whole = new SpecContext(context.doc, context.refs);
    whole.ruleId = context.ruleId;
    whole.severity = context.severity;
    context.shareCodeWith(whole);
    whole.reports = [];
    rule.checkSpec!(whole);
    reports = new Map();
    for (const report of whole.reports) {
      const key = reportKey(report.at, report.message, report.fix?.title);
      if (!reports.has(key)) reports.set(key, report);
    }
    byRule.set(rule.id, reports);
  }
  return reports;
}

function reportKey(at: unknown[], message: string, title: string | undefined): string {
  return `${JSON.stringify(at)}\u0000${message}\u0000${title ?? ''}`;
}

/**
 * `value` with each string in its plain objects and arrays replaced, in place, by the equal one
 * in `pool` (added there when new). Readings are made per path item, and a label or key built
 * for each (`Response component 'not_found'`, a component's key) is otherwise a string of its own
 * per path item: on GitHub's description 42,100 strings held, of 6,461 distinct values. Class
 * instances (a document) are left as they are.
 */
function shareStrings<T>(value: T, pool: Map<string, string>): T {
  const visited = new Set<object>();
  const shared = (item: unknown): unknown => {
    if (typeof item === 'string') {
      const known = pool.get(item);
      if (known !== undefined) return known;
      pool.set(item, item);
      return item;
    }
    if (item !== null && typeof item === 'object') visit(item);
    return item;
  };
  const visit = (node: object): void => {
    // A frozen value (a shared empty list) cannot hold another instance; an object met again (a
    // YAML alias in a value read from the document) is done.
    if (visited.has(node) || Object.isFrozen(node)) return;
    visited.add(node);
    if (Array.isArray(node)) {
      // Written back even when equal: equal strings compare equal, the point is the one instance.
      for (let i = 0; i < node.length; i++) node[i] = shared(node[i]);
      return;
    }
    if (Object.getPrototypeOf(node) !== Object.prototype) return;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = shared(record[key]);
  };
  return shared(value) as T;
}
