import ts from 'typescript';
import { codeStyle } from './_code-edits';
import { defineRule } from './rule';
import { isRecord, type SpecContext } from '../engine/spec-context';
import type { CodeContext } from '../engine/code-context';
import { securitySchemes } from '../engine/spec-helpers';
import { replaceValue } from '../spec/edits';
import { forEachDescendant, forEachDescendantOfKind, objectKeys, objectProperty, stringValue } from '../code/ast';
import type { JsonPath } from '../types';

/** Cookie names that carry a session or credentials (not `theme`, `locale`, `consent`). */
export const AUTH_COOKIE = /sess|^sid$|[._-]sid$|^sid[._-]|auth|token|jwt|refresh|remember|login|identity|credential/i;
const FLAGS = [
  { name: 'httpOnly', attribute: 'HttpOnly', code: 'httpOnly: true' },
  { name: 'secure', attribute: 'Secure', code: 'secure: true' },
  { name: 'sameSite', attribute: 'SameSite', code: "sameSite: 'lax'" },
] as const;

export default defineRule({
  id: 'cookie-flags-explicit',
  severity: 'warning',
  description: 'Session/auth cookies set without explicit `HttpOnly`, `Secure` and `SameSite`, and cookie auth schemes that say nothing about CSRF.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `The guide: "Cookie-based browser auth accounts for cookie scope and CSRF behavior instead of assuming cookies are automatically safe", and "Sensitive defaults are explicit: cookie flags, token TTLs, scope boundaries". A session cookie without \`HttpOnly\` is readable by any injected script; without \`Secure\` it is sent over plain HTTP; without \`SameSite\` its cross-site behaviour depends on the browser's default, and a cookie-authenticated API must then defend against CSRF some other way (RFC 6265bis §4.1.2, §8.8). Write the three attributes down where the cookie is set (\`res.cookie(name, value, { httpOnly: true, secure: true, sameSite: 'lax' })\`), and say in the spec how a cookie-authenticated API defends against CSRF.`,
    bad: `res.cookie('session', token);`,
    good: `res.cookie('session', token, { httpOnly: true, secure: true, sameSite: 'lax' });`,
    exampleLanguage: 'ts',
    references: ['RFC 6265bis §4.1.2 Set-Cookie attributes (Secure, HttpOnly, SameSite)', 'RFC 6265bis §8.8 SameSite and CSRF', 'OWASP Cross-Site Request Forgery Prevention Cheat Sheet'],
  },
  // Set-Cookie examples are read per path item; cookie auth schemes once per document.
  scope: 'path-item',
  checkSpec(context) {
    checkSetCookieExamples(context);
  },
  checkWholeDocument(context) {
    checkCookieSchemes(context);
  },
  // Whether the file is Express or Nest code at all, and the names it binds express-session to.
  localEnvironment(context) {
    if (!/from\s+['"](express|@nestjs\/common|express-session)['"]|require\(\s*['"]express/.test(context.source.text)) return undefined;
    return { sessionNames: expressSessionNames(context.source) };
  },
  checkStatement(context, statement, environment) {
    if (environment) checkStatement(context, statement, (environment as { sessionNames: string[] }).sessionNames);
  },
});

function checkCookieSchemes(context: SpecContext) {
  const schemes = securitySchemes(context).filter(({ scheme }) => scheme.type === 'apiKey' && scheme.in === 'cookie');
  if (schemes.length === 0) return;
  const info = isRecord(context.root.info) ? context.root.info : {};
  const CSRF = /csrf|xsrf|same-?site|cross-site request/i;
  if (CSRF.test(String(info.description ?? ''))) return;
  const csrfHeader = context.operations().some((operation) => context.parameters(operation).some((parameter) => parameter.value.in === 'header' && /csrf|xsrf/i.test(String(parameter.value.name))));
  if (csrfHeader) return;
  for (const { name, scheme, at } of schemes) {
    if (CSRF.test(String(scheme.description ?? ''))) continue;
    context.report({
      at: [...at, 'in'],
      part: 'value',
      message: `Cookie auth scheme '${name}' says nothing about CSRF; state the cookie's SameSite attribute and the CSRF defence (a CSRF token header, Origin checks) in its description.`,
    });
  }
}

const SET_COOKIE = /^set-cookie$/i;

/** Response `Set-Cookie` headers whose example sets a session cookie without the three attributes. */
function checkSetCookieExamples(context: SpecContext) {
  const seen = new Set<string>();
  for (const operation of context.operations()) {
    for (const { response } of context.responses(operation)) {
      const headers = response.value?.headers;
      if (!isRecord(headers)) continue;
      // Every response of the document, every keystroke: no entry pairs or lower-cased copies.
      for (const headerName of Object.keys(headers)) {
        if (!SET_COOKIE.test(headerName)) continue;
        const header = context.resolve<Record<string, unknown>>(headers[headerName], [...response.at, 'headers', headerName], response.doc);
        if (!isRecord(header.value)) continue;
        const candidates: [unknown, JsonPath][] = [[header.value.example, [...header.at, 'example']]];
        if (isRecord(header.value.schema)) candidates.push([header.value.schema.example, [...header.at, 'schema', 'example']]);
        if ('x-example' in header.value) candidates.push([header.value['x-example'], [...header.at, 'x-example']]);
        for (const [example, at] of candidates) {
          if (typeof example !== 'string') continue;
          const cookieName = /^\s*([^=;\s]+)=/.exec(example)?.[1];
          if (!cookieName || !AUTH_COOKIE.test(cookieName)) continue;
          const missing = FLAGS.filter((flag) => !new RegExp(`;\\s*${flag.attribute}\\b`, 'i').test(example));
          if (missing.length === 0) continue;
          const key = `${header.doc.uri}#${at.join('/')}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const fixed = example.trimEnd() + missing.map((flag) => `; ${flag.attribute}${flag.attribute === 'SameSite' ? '=Lax' : ''}`).join('');
          const doc = header.doc;
          context.report({
            doc,
            at,
            part: 'value',
            message: `Set-Cookie for '${cookieName}' lacks ${missing.map((flag) => flag.attribute).join(', ')}; set HttpOnly, Secure and SameSite explicitly on session cookies.`,
            fix: doc === context.doc ? { title: `Add ${missing.map((flag) => flag.attribute).join(', ')}`, isPreferred: true, edits: () => [replaceValue(doc, at, fixed)] } : undefined,
          });
        }
      }
    }
  }
}

/** Auth and session cookies set in one top-level statement without their flags. */
function checkStatement(context: CodeContext, statement: ts.Statement, sessionNames: string[]) {
  const source = context.source;
  // Read only when a fix is asked for.
  const flagCode = (flag: { code: string }) => flag.code.replace(/'/g, codeStyle(source).quote);
  forEachDescendantOfKind(statement, [ts.SyntaxKind.CallExpression], (node) => {
    if (!ts.isCallExpression(node)) return undefined;
    const callee = node.expression;
    // res.cookie(name, value, options)
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'cookie' && node.arguments.length >= 2 && /^(res|response|reply|r)$/i.test(callee.expression.getText(source))) {
      const [nameArg, valueArg, options] = node.arguments;
      const cookieName = stringValue(nameArg);
      const isAuth = cookieName ? AUTH_COOKIE.test(cookieName) : AUTH_COOKIE.test(nameArg.getText(source)) || /token|session|jwt/i.test(valueArg.getText(source));
      if (!isAuth) return undefined;
      const label = cookieName ? `'${cookieName}'` : 'this auth cookie';
      if (!options) {
        const at = node.arguments[node.arguments.length - 1].getEnd();
        report(context, node, label, FLAGS.map((flag) => flag.name), () => [{ uri: context.uri, start: at, end: at, newText: `, { ${FLAGS.map((flag) => flagCode(flag)).join(', ')} }` }]);
      } else if (ts.isObjectLiteralExpression(options)) {
        const keys = objectKeys(options);
        if (keys.includes('...')) return undefined;
        const missing = FLAGS.filter((flag) => !keys.includes(flag.name));
        if (missing.length === 0) return undefined;
        report(context, node, label, missing.map((flag) => flag.name), () => [insertProperties(context, options, missing.map((flag) => flagCode(flag)))]);
      }
      return undefined;
    }
    // express-session: session({ secret, cookie: { ... } })
    if (ts.isIdentifier(callee) && sessionNames.includes(callee.text) && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
      const config = node.arguments[0];
      if (objectKeys(config).includes('...')) return undefined;
      const cookie = objectProperty(config, 'cookie');
      if (cookie && !ts.isObjectLiteralExpression(cookie)) return undefined;
      const keys = cookie ? objectKeys(cookie) : [];
      if (keys.includes('...')) return undefined;
      const missing = FLAGS.filter((flag) => !keys.includes(flag.name));
      if (missing.length === 0) return undefined;
      report(context, node, 'the session cookie', missing.map((flag) => flag.name), cookie
        ? () => [insertProperties(context, cookie as ts.ObjectLiteralExpression, missing.map((flag) => flagCode(flag)))]
        : () => [insertProperties(context, config, [`cookie: { ${FLAGS.map((flag) => flagCode(flag)).join(', ')} }`])]);
    }
    return undefined;
  });
}

function report(context: CodeContext, node: ts.CallExpression, label: string, missing: string[], edits: () => { uri: string; start: number; end: number; newText: string }[]) {
  context.report({
    span: node.expression,
    message: `Cookie ${label} is set without explicit ${missing.join(', ')}; set httpOnly, secure and sameSite on session/auth cookies.`,
    fix: { title: `Add ${missing.join(', ')}`, isPreferred: true, edits },
  });
}

function insertProperties(context: CodeContext, object: ts.ObjectLiteralExpression, properties: string[]) {
  const source = context.source;
  if (object.properties.length === 0) {
    const start = object.getStart(source);
    return { uri: context.uri, start, end: object.getEnd(), newText: `{ ${properties.join(', ')} }` };
  }
  const last = object.properties[object.properties.length - 1];
  const multiline = source.getLineAndCharacterOfPosition(last.getStart(source)).line !== source.getLineAndCharacterOfPosition(object.getStart(source)).line;
  if (multiline) {
    const column = source.getLineAndCharacterOfPosition(last.getStart(source)).character;
    const trailingComma = object.properties.hasTrailingComma;
    const pad = ' '.repeat(column);
    const at = trailingComma ? source.text.indexOf(',', last.getEnd()) + 1 : last.getEnd();
    return { uri: context.uri, start: at, end: at, newText: (trailingComma ? '' : ',') + properties.map((p) => `\n${pad}${p}`).join(',') + (trailingComma ? ',' : '') };
  }
  return { uri: context.uri, start: last.getEnd(), end: last.getEnd(), newText: `, ${properties.join(', ')}` };
}

/** The names a file binds express-session to: `import session from 'express-session'`, `const session = require('express-session')`. */
function expressSessionNames(source: ts.SourceFile): string[] {
  // Most files never mention the package.
  if (!source.text.includes('express-session')) return [];
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === 'express-session' && statement.importClause?.name) names.push(statement.importClause.name.text);
  }
  for (const match of source.text.matchAll(/(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"]express-session['"]\s*\)/g)) names.push(match[1]);
  return names;
}
