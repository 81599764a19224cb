import ts from 'typescript';
import { decoratorsOf } from '../code/ast';
import type { JsonPath, TextEdit } from '../types';
import type { SpecDocument } from '../spec/document';
import { isRecord, type SpecContext } from '../engine/spec-context';
import { securitySchemes } from '../engine/spec-helpers';
import { replaceValue, yamlScalar } from '../spec/edits';

/** Shared helpers of the dto group (auth, transport DTO and browser-token rules). */

/** Renders a scalar for the document's format. */
function scalar(doc: SpecDocument, value: string): string {
  return doc.format === 'json' ? JSON.stringify(value) : yamlScalar(value);
}

/** Inserts `key: value` just before the entry at `siblingPath` (same map), block or flow style. */
export function insertEntryBefore(doc: SpecDocument, siblingPath: JsonPath, key: string, value: string): TextEdit {
  const span = doc.locate(siblingPath, 'key');
  const position = doc.lines.positionAt(span.start);
  const lineText = doc.lines.lineText(position.line);
  const before = lineText.slice(0, position.character);
  const renderedKey = doc.format === 'json' ? JSON.stringify(key) : key;
  const entry = `${renderedKey}: ${scalar(doc, value)}`;
  const block = /^\s*$/.test(before);
  const newText = block ? `${entry}${doc.format === 'json' ? ',' : ''}\n${before}` : `${entry}, `;
  return { uri: doc.uri, start: span.start, end: span.start, newText };
}

/** Replaces a map key's name in place, keeping its quotes. */
export function renameKey(doc: SpecDocument, path: JsonPath, from: string, to: string): TextEdit | undefined {
  const span = doc.locate(path, 'key');
  const text = doc.slice(span.start, span.end);
  const index = text.indexOf(from);
  if (index < 0) return undefined;
  return { uri: doc.uri, start: span.start + index, end: span.start + index + from.length, newText: to };
}

/** `https://id.example.com/oauth/authorize` -> `https://id.example.com/oauth/token`. */
export function tokenUrlFrom(authorizationUrl: string): string {
  if (/authori[sz]e\/?$/i.test(authorizationUrl)) return authorizationUrl.replace(/authori[sz]e(\/?)$/i, 'token$1');
  return authorizationUrl.replace(/\/[^/]*$/, '') + '/token';
}

/** `https://id.example.com/oauth/token` -> `https://id.example.com/oauth/authorize`. */
export function authorizationUrlFrom(tokenUrl: string): string {
  if (/token\/?$/i.test(tokenUrl)) return tokenUrl.replace(/token(\/?)$/i, 'authorize$1');
  return tokenUrl.replace(/\/[^/]*$/, '') + '/authorize';
}

/**
 * Reports a deprecated OAuth2 flow (implicit, password) in every security scheme, with a fix that
 * turns it into the authorization code flow keeping its scopes and URLs.
 */
export function reportDeprecatedFlow(context: SpecContext, flow: 'implicit' | 'password', message: (scheme: string) => string) {
  const seen = new Set<string>();
  for (const { name, scheme, at } of securitySchemes(context)) {
    if (scheme.type !== 'oauth2') continue;
    const key = at.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = context.doc;
    if (context.isSwagger2) {
      if (scheme.flow !== flow) continue;
      const missingKey = flow === 'implicit' ? 'tokenUrl' : 'authorizationUrl';
      const source = flow === 'implicit' ? scheme.authorizationUrl : scheme.tokenUrl;
      const canFix = typeof source === 'string' && !(missingKey in scheme);
      context.report({
        at: [...at, 'flow'],
        part: 'value',
        message: message(name),
        fix: canFix ? {
          title: `Use the accessCode (authorization code) flow, keeping the scopes; add PKCE in the client`,
          isPreferred: true,
          edits: () => [
            insertEntryBefore(doc, [...at, 'flow'], missingKey, flow === 'implicit' ? tokenUrlFrom(source as string) : authorizationUrlFrom(source as string)),
            replaceValue(doc, [...at, 'flow'], 'accessCode'),
          ],
        } : undefined,
      });
      continue;
    }
    const flows = scheme.flows;
    if (!isRecord(flows) || !isRecord(flows[flow])) continue;
    const flowAt = [...at, 'flows', flow];
    const value = flows[flow] as Record<string, unknown>;
    const missingKey = flow === 'implicit' ? 'tokenUrl' : 'authorizationUrl';
    const source = flow === 'implicit' ? value.authorizationUrl : value.tokenUrl;
    const firstKey = Object.keys(value)[0];
    const canFix = !('authorizationCode' in flows) && typeof source === 'string' && !(missingKey in value) && firstKey !== undefined;
    context.report({
      at: flowAt,
      message: message(name) + ('authorizationCode' in flows ? ' This scheme already declares authorizationCode: remove this flow.' : ''),
      fix: canFix ? {
        title: `Replace with the authorizationCode flow, keeping the scopes; add PKCE in the client`,
        isPreferred: true,
        edits: () => {
          const rename = renameKey(doc, flowAt, flow, 'authorizationCode');
          if (!rename) return [];
          return [rename, insertEntryBefore(doc, [...flowAt, firstKey], missingKey, flow === 'implicit' ? tokenUrlFrom(source as string) : authorizationUrlFrom(source as string))];
        },
      } : undefined,
    });
  }
}

// ---------------------------------------------------------------- code helpers

const NOT_TYPES = new Set(['Promise', 'Array', 'ReadonlyArray', 'Partial', 'Pick', 'Omit', 'Record', 'Readonly', 'Observable', 'null', 'undefined', 'void', 'any', 'unknown', 'string', 'number', 'boolean', 'object', 'never']);

/** `Promise<User[] | null>` -> ['User']. Utility types (`Omit<User, 'x'>`) count as shaped: none. */
export function typeNames(typeText: string): string[] {
  if (/^\s*(Omit|Pick|Partial)\s*</.test(typeText)) return [];
  return [...typeText.matchAll(/[A-Za-z_$][A-Za-z0-9_$.]*/g)].map((match) => match[0]).filter((name) => !NOT_TYPES.has(name) && /^[A-Z]/.test(name));
}

const ENTITY_DECORATOR = /^(Entity|Schema|Table|Model|ViewEntity)$/;

/** What `entityImport` reads of a file, as text: its imports, and its classes with their decorators. */
export function entityImportsKey(source: ts.SourceFile): string {
  const parts: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) parts.push(statement.getText(source));
    else if (ts.isClassDeclaration(statement) && statement.name) parts.push(`class ${statement.name.text} @${decoratorsOf(statement).map((d) => d.name).join(',@')}`);
  }
  return parts.join('\n');
}

/**
 * Where a class/type comes from when it is a persistence model: a class in this file decorated
 * `@Entity()`/`@Schema()`/`@Table()`, or an import from `@prisma/client`, `*.entity`, `entities/`,
 * `*.model` (Sequelize/Mongoose convention). Undefined when it looks like anything else.
 */
export function entityImport(source: ts.SourceFile, name: string): string | undefined {
  const base = name.split('.')[0];
  for (const statement of source.statements) {
    if (ts.isClassDeclaration(statement) && statement.name?.text === base) {
      const decorator = decoratorsOf(statement).find((d) => ENTITY_DECORATOR.test(d.name));
      return decorator ? `a persistence model (@${decorator.name}())` : undefined;
    }
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (!clause) continue;
      const names: string[] = [];
      if (clause.name) names.push(clause.name.text);
      if (clause.namedBindings && ts.isNamedImports(clause.namedBindings)) for (const element of clause.namedBindings.elements) names.push(element.name.text);
      if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) names.push(clause.namedBindings.name.text);
      if (!names.includes(base)) continue;
      if (from === '@prisma/client' || /^\.prisma\/client|generated\/prisma/.test(from)) {
        // The `Prisma` namespace holds utility types (BatchPayload, JsonValue, inputs); only its
        // `<Model>GetPayload<...>` types are model rows.
        const member = name.split('.')[1];
        if (base === 'Prisma' && member !== undefined && !/GetPayload$/.test(member)) return undefined;
        return `a Prisma model type (from '${from}')`;
      }
      if (/\.entity$|\/entities?(\/|$)/.test(from)) return `an ORM entity (from '${from}')`;
      if (/\.model$/.test(from)) return `a persistence model (from '${from}')`;
      return undefined;
    }
  }
  return undefined;
}
