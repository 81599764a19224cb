import type { OffsetRange, Range } from './text';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';
export type Target = 'spec' | 'express' | 'nest';

/** A path into a parsed document, e.g. ['paths', '/users/{id}', 'get']. */
export type JsonPath = (string | number)[];

/** One text replacement; offsets into the text of `uri` as analysed. */
export interface TextEdit { uri: string; start: number; end: number; newText: string }

export interface Fix {
  title: string;
  /** The obvious repair: editors apply it on "auto fix" and fix-all. */
  isPreferred?: boolean;
  /** Computed lazily: only when an editor asks for code actions or fix-all runs. */
  edits(): TextEdit[];
}

export interface RelatedLocation { uri: string; span: OffsetRange; message: string }

/** What a rule reports, before positions are computed. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  uri: string;
  span: OffsetRange;
  related?: RelatedLocation[];
  fix?: Fix;
}

/** A finding with line/character positions: what hosts (LSP, CLI) print. */
export interface Diagnostic {
  ruleId: string;
  severity: Severity;
  message: string;
  uri: string;
  range: Range;
  related?: { uri: string; range: Range; message: string }[];
  fix?: Fix;
}

export interface RuleDocs {
  /** Why the rule exists, with the guide's reasoning. Markdown. */
  rationale: string;
  /** A failing example (YAML or TypeScript). */
  bad: string;
  /** The corrected example. */
  good: string;
  /** Language of the examples, for fenced code blocks. */
  exampleLanguage?: 'yaml' | 'json' | 'ts';
  references?: string[];
}

export interface RuleMeta {
  id: string;
  severity: Severity;
  /** One sentence: what the rule flags. */
  description: string;
  appliesTo: Target[];
  docs: RuleDocs;
  fixable: boolean;
}

export const DOCS_BASE_URL = 'https://github.com/apilens/apilens/blob/main/docs/rules/';
export function ruleDocUrl(ruleId: string): string { return `${DOCS_BASE_URL}${ruleId}.md`; }
