import type ts from 'typescript';
import type { Fix, JsonPath, RuleMeta, Severity } from '../types';
import type { SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import type { SpecDocument } from '../spec/document';
import type { ExtractedRoute } from '../code/extract';

/**
 * A rule in one object: its metadata (the source of the generated docs and the `rules` listing),
 * and its checks. A rule reports JSON paths (spec) or source spans (code); the engine turns them
 * into ranges, applies configuration and disable comments, and isolates failures.
 */
export interface Rule extends RuleMeta {
  /**
   * 'path-item': what the rule reports for a path item depends only on that path item, what its
   * `$ref`s lead to, and the document outside `paths` and the component maps (servers, security,
   * security schemes...). The editor then re-checks only the path items an edit changed. Such a
   * check does not see `info`, `tags`, `externalDocs`, webhooks or root extensions
   * (`isSeenFromPathItems`): the rule must not read them.
   * 'document' (the default): the rule compares path items or reads component maps itself.
   */
  scope?: 'path-item' | 'document';
  /**
   * For a path-item rule that also reads a fact of the whole document (whether deleted items are
   * part of the API, say): that fact, computed on the whole document. Records made under another
   * value are not reused. The check reads the fact from `context.wholeDocument()`.
   */
  environment?(context: SpecContext): unknown[];
  checkSpec?(context: SpecContext): void;
  /**
   * For a path-item rule: the part of its check that reads the document as a whole (component
   * maps, security schemes), run once per analysis on the whole document beside `checkSpec`.
   */
  checkWholeDocument?(context: SpecContext): void;
  /** Code checks over Express/NestJS route files (and the workspace's routes and specs). */
  checkCode?(context: CodeContext): void;
  /**
   * The check of one route declared in the file, for a code rule whose findings on a route depend
   * only on that route's model, the syntax of the top-level statement declaring it (its handler
   * included) and `environment` (see `localEnvironment`): it must not read other routes, other
   * statements or the workspace. The editor then checks again only the routes an edit touched
   * (see LocalFindingsMemory). It runs beside `checkCode`, for every route of the file.
   */
  checkRoute?(context: CodeContext, route: ExtractedRoute, environment: unknown): void;
  /**
   * The check of one top-level statement of a code file, on the same terms as `checkRoute`: what
   * it reports inside a statement depends only on that statement's syntax and `environment`.
   */
  checkStatement?(context: CodeContext, statement: ts.Statement, environment: unknown): void;
  /**
   * For a rule with `checkRoute` or `checkStatement`: the facts of the file or workspace those
   * checks read, computed once per analysis and handed to them. Kept findings are reused only
   * under equal facts (compared as JSON).
   */
  localEnvironment?(context: CodeContext): unknown;
}

export function defineRule<R extends Rule>(rule: R): R {
  return rule;
}

export interface SpecReport {
  /** Where the problem is, in the document being analysed unless `doc` says otherwise. */
  at: JsonPath;
  /** Anchor on the key (`post:`, `'404':`) rather than the whole value. Default: 'key'. */
  part?: 'key' | 'value';
  message: string;
  /** Other places worth seeing: the referenced definition, the majority shape. */
  related?: { at: JsonPath; message: string; uri?: string; doc?: SpecDocument }[];
  /** The document `at` points into, when not the one being analysed (a $ref target). */
  doc?: SpecDocument;
  fix?: Fix;
  /** Overrides the rule's default severity for this finding (e.g. hint for a softer case). */
  severity?: Severity;
}
