import ts from 'typescript';
import type { TextEdit } from '../types';

/**
 * Helpers for code fixes that write TypeScript/JavaScript: the file's own style (quotes,
 * semicolons, indentation), imports merged into the existing ones, code inserted after the
 * imports, and edits that touch one offset merged so they apply in a known order.
 */

/** The file a fix edits (a CodeContext is one). */
export interface CodeFile { uri: string; source: ts.SourceFile }

export interface CodeStyle {
  quote: "'" | '"';
  /** ';' when the file ends its statements with semicolons, '' when it does not. */
  semi: ';' | '';
  /** One level of indentation: two or four spaces, or a tab. */
  indent: string;
  eol: '\n' | '\r\n';
}

/** Statements whose last character says whether the file ends statements with `;`. */
function isStatementWithTerminator(node: ts.Node): boolean {
  return ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isImportDeclaration(node) || ts.isReturnStatement(node)
    || ts.isExportDeclaration(node) || ts.isThrowStatement(node);
}

const styles = new WeakMap<ts.SourceFile, CodeStyle>();

/** The quote, semicolon and indentation style the file is written in (majority wins; defaults: `'`, `;`, two spaces). */
export function codeStyle(source: ts.SourceFile): CodeStyle {
  let style = styles.get(source);
  if (!style) styles.set(source, style = readStyle(source));
  return style;
}

function readStyle(source: ts.SourceFile): CodeStyle {
  const text = source.text;
  let single = 0;
  let double = 0;
  let withSemi = 0;
  let withoutSemi = 0;
  let seen = 0;
  const visit = (node: ts.Node): void => {
    if (seen++ > 5000) return;
    if (ts.isStringLiteral(node)) {
      if (text[node.getStart(source)] === '"') double++;
      else single++;
    }
    if (isStatementWithTerminator(node)) {
      if (text[node.getEnd() - 1] === ';') withSemi++;
      else withoutSemi++;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return {
    quote: double > single ? '"' : "'",
    semi: withoutSemi > withSemi ? '' : ';',
    indent: indentUnit(text),
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

function indentUnit(text: string): string {
  let smallest = Infinity;
  let tabs = 0;
  let spaces = 0;
  for (const match of text.matchAll(/^([ \t]+)\S/gm)) {
    const lead = match[1];
    if (lead.startsWith('\t')) { tabs++; continue; }
    if (lead.length === 1 && text[match.index! + 1] === '*') continue; // ` * ` inside a block comment
    spaces++;
    smallest = Math.min(smallest, lead.length);
  }
  if (tabs > spaces) return '\t';
  return smallest === 2 || smallest === 4 || smallest === 3 ? ' '.repeat(smallest) : '  ';
}

/** A string literal in the file's quote style. */
export function quoted(style: CodeStyle, value: string): string {
  return `${style.quote}${value.replace(/\\/g, '\\\\').replace(new RegExp(style.quote, 'g'), `\\${style.quote}`)}${style.quote}`;
}

/**
 * Rewrites a code template written with two-space indentation, single quotes and semicolons into
 * the file's style. Templates must not hold apostrophes or quotes inside strings, nor start a
 * line with `(`, `[` or a backtick (which a file without semicolons would need to guard).
 */
export function inStyle(template: string, style: CodeStyle, baseIndent = ''): string {
  return template.split('\n').map((line) => {
    if (line.trim() === '') return '';
    const lead = /^ */.exec(line)![0].length;
    let body = line.slice(lead);
    if (style.quote === '"') body = body.replace(/'/g, '"');
    if (style.semi === '') body = body.replace(/;$/, '');
    return baseIndent + style.indent.repeat(Math.floor(lead / 2)) + ' '.repeat(lead % 2) + body;
  }).join(style.eol);
}

/** The whitespace at the start of the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The import-like statements at the top of the file (imports, `import x = require()`, `const x = require()`). */
function leadingImports(source: ts.SourceFile): ts.Statement[] {
  const result: ts.Statement[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || isRequireStatement(statement)) result.push(statement);
    else if (result.length > 0 || !isDirective(statement)) break;
  }
  return result;
}

function isDirective(statement: ts.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
}

function isRequireStatement(statement: ts.Statement): boolean {
  if (!ts.isVariableStatement(statement)) return false;
  return statement.declarationList.declarations.every((declaration) => {
    let init = declaration.initializer;
    while (init && (ts.isPropertyAccessExpression(init) || ts.isCallExpression(init) && !ts.isIdentifier(init.expression))) init = init.expression;
    return !!init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require';
  });
}

/** Where code that goes after the imports is inserted: the end of the last import (or the file's start). */
export function afterImportsOffset(source: ts.SourceFile): number {
  const imports = leadingImports(source);
  return imports.length ? imports[imports.length - 1].getEnd() : 0;
}

/** Inserts `code` (a top-level declaration) after the imports, with a blank line before and after. */
export function insertAfterImports(file: CodeFile, style: CodeStyle, code: string): TextEdit {
  const { uri, source } = file;
  const at = afterImportsOffset(source);
  if (at === 0) return { uri, start: 0, end: 0, newText: `${code}${style.eol}${style.eol}` };
  return { uri, start: at, end: at, newText: `${style.eol}${style.eol}${code}` };
}

/** The module a name is imported from in this file, if it is imported. */
export function importedFrom(source: ts.SourceFile, name: string): string | undefined {
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.importClause;
    if (!clause) continue;
    if (clause.name?.text === name) return statement.moduleSpecifier.text;
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === name) return statement.moduleSpecifier.text;
    if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((element) => element.name.text === name)) return statement.moduleSpecifier.text;
  }
  return undefined;
}

/** True when `name` is declared at the top level of the file (class, function, variable, enum, import). */
export function declaresTopLevel(source: ts.SourceFile, name: string): boolean {
  if (importedFrom(source, name) !== undefined) return true;
  return source.statements.some((statement) => {
    if ((ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && statement.name?.text === name) return true;
    return ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name);
  });
}

/**
 * The edit that makes `names` importable from `module`: merged into an existing
 * `import { ... } from 'module'` (sorted in when the list is sorted, else appended), added to a
 * default import (`import express, { ... }`), or a new import after the last one. `typeOnly`
 * names become `type X` in a merged list and `import type { ... }` in a new one.
 * Undefined when every name is already imported from the module; throws nothing: when a name is
 * taken by another import the caller should have checked `importedFrom` first.
 */
export function addImports(file: CodeFile, style: CodeStyle, module: string, names: string[], options: { typeOnly?: boolean } = {}): TextEdit | undefined {
  const { uri, source } = file;
  const missing = [...new Set(names)].filter((name) => importedFrom(source, name) !== module);
  if (missing.length === 0) return undefined;
  const declarations = source.statements.filter((statement): statement is ts.ImportDeclaration =>
    ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === module && !!statement.importClause);
  // 1. An existing named import list (a type-only list takes type names only).
  for (const declaration of declarations) {
    const clause = declaration.importClause!;
    const bindings = clause.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || (clause.isTypeOnly && !options.typeOnly)) continue;
    const prefix = options.typeOnly && !clause.isTypeOnly ? 'type ' : '';
    const existing = bindings.elements.map((element) => ({ sortKey: element.name.text, text: element.getText(source) }));
    const added = missing.map((name) => ({ sortKey: name, text: `${prefix}${name}` }));
    const sorted = existing.every((element, i) => i === 0 || compareNames(existing[i - 1].sortKey, element.sortKey) <= 0);
    const all = sorted ? [...existing, ...added].sort((a, b) => compareNames(a.sortKey, b.sortKey)) : [...existing, ...added];
    const original = bindings.getText(source);
    const pad = /^\{\s/.test(original) || bindings.elements.length === 0 ? ' ' : '';
    let newText = `{${pad}${all.map((element) => element.text).join(', ')}${pad}}`;
    // A list written one name per line stays so; a single line that grows past 120 columns is wrapped.
    const lineLength = declaration.getEnd() - declaration.getStart(source) - original.length + newText.length;
    if (original.includes('\n') || lineLength > 120) {
      const elementIndent = original.includes('\n') && bindings.elements.length ? lineIndent(source.text, bindings.elements[0].getStart(source)) : lineIndent(source.text, declaration.getStart(source)) + style.indent;
      const trailing = !original.includes('\n') || bindings.elements.hasTrailingComma ? ',' : '';
      newText = `{${style.eol}${all.map((element) => elementIndent + element.text).join(`,${style.eol}`)}${trailing}${style.eol}${lineIndent(source.text, declaration.getStart(source))}}`;
    }
    return { uri, start: bindings.getStart(source), end: bindings.getEnd(), newText };
  }
  // 2. A default import alone: `import express from 'express'` -> `import express, { Router } from 'express'`.
  for (const declaration of declarations) {
    const clause = declaration.importClause!;
    if (clause.name && !clause.namedBindings && !clause.isTypeOnly) {
      const prefix = options.typeOnly ? 'type ' : '';
      return { uri, start: clause.name.getEnd(), end: clause.name.getEnd(), newText: `, { ${missing.map((name) => prefix + name).join(', ')} }` };
    }
  }
  // 3. A new import line after the last import.
  const line = `import ${options.typeOnly ? 'type ' : ''}{ ${missing.join(', ')} } from ${quoted(style, module)}${style.semi}`;
  const at = afterImportsOffset(source);
  return at === 0 ? { uri, start: 0, end: 0, newText: `${line}${style.eol}` } : { uri, start: at, end: at, newText: `${style.eol}${line}` };
}

function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Edits of one fix, in order: insertions at the same offset are joined (first added first), so
 * the result does not depend on how a host orders equal edits. Undefined entries are dropped.
 */
export function joinEdits(edits: (TextEdit | undefined)[]): TextEdit[] {
  const result: TextEdit[] = [];
  for (const edit of edits) {
    if (!edit) continue;
    const same = result.find((other) => other.uri === edit.uri && other.start === edit.start && other.end === edit.end && edit.start === edit.end);
    if (same) same.newText += edit.newText;
    else result.push({ ...edit });
  }
  return result;
}

// ---------------------------------------------------------------- response locations

/**
 * A template literal for the URL of one resource under a route's path: `/orders/:orderId/items` and
 * `item.id` give `/orders/${req.params.orderId}/items/${item.id}`. Undefined for paths with patterns,
 * wildcards or optional parts, or a path parameter the handler cannot read (see `pathParameterReader`).
 */
export function locationUnder(path: string, readParam: (name: string) => string | undefined, id: string): string | undefined {
  const parts: string[] = [];
  for (const segment of path.split('/').filter(Boolean)) {
    const param = /^:([A-Za-z_$][\w$]*)$/.exec(segment);
    const read = param ? readParam(param[1]) : undefined;
    if (/^[A-Za-z0-9._~-]+$/.test(segment)) parts.push(segment);
    else if (read) parts.push(`\${${read}}`);
    else return undefined;
  }
  return `\`/${parts.map((part) => `${part}/`).join('')}\${${id}}\``;
}

/**
 * How a handler reads a path parameter: Express `req.params.orderId` (its first parameter), NestJS
 * the `@Param('orderId') orderId` parameter or `params.orderId` of a bare `@Param() params`.
 */
export function pathParameterReader(handler: ts.Node | undefined): (name: string) => string | undefined {
  if (!handler || !(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler) || ts.isFunctionDeclaration(handler) || ts.isMethodDeclaration(handler))) return () => undefined;
  if (ts.isMethodDeclaration(handler) && ts.getDecorators(handler)?.length) {
    return (name) => {
      for (const parameter of handler.parameters) {
        if (!ts.isIdentifier(parameter.name)) continue;
        for (const decorator of ts.getDecorators(parameter) ?? []) {
          const call = decorator.expression;
          if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'Param') continue;
          const key = call.arguments[0];
          if (!key) return `${parameter.name.text}.${name}`;
          if (ts.isStringLiteral(key) && key.text === name) return parameter.name.text;
        }
      }
      return undefined;
    };
  }
  const first = handler.parameters[0];
  const request = first && ts.isIdentifier(first.name) ? first.name.text : undefined;
  return (name) => (request ? `${request}.params.${name}` : undefined);
}

/** The replacement for a success status argument: `200` -> `201`, `HttpStatus.OK` -> `HttpStatus.CREATED`. */
export function statusArgument(node: ts.Expression | undefined, code: number, name: string): string | undefined {
  if (!node) return undefined;
  if (ts.isNumericLiteral(node)) return String(code);
  if (ts.isPropertyAccessExpression(node) && /^(HttpStatus|StatusCodes|HTTP_STATUS|status|httpStatus)$/.test(node.expression.getText())) return `${node.expression.getText()}.${name}`;
  return undefined;
}

/** Appends a parameter to a method's list, on its own line when the list has one parameter per line. Undefined after a rest parameter. */
export function appendParameter(file: CodeFile, style: CodeStyle, method: ts.SignatureDeclarationBase, parameter: string): TextEdit | undefined {
  const { uri, source } = file;
  const text = source.text;
  const params = method.parameters;
  const last = params[params.length - 1];
  if (!last) return { uri, start: params.pos, end: params.pos, newText: parameter };
  if (last.dotDotDotToken) return undefined;
  const ownLine = text.slice(params.pos, params[0].getStart(source)).includes('\n');
  return { uri, start: last.getEnd(), end: last.getEnd(), newText: ownLine ? `,${style.eol}${lineIndent(text, last.getStart(source))}${parameter}` : `, ${parameter}` };
}
