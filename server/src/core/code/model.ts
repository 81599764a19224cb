import type { OffsetRange } from '../text';

/**
 * The route model: what one extraction step reads out of a workspace's Express and NestJS code.
 * Every code rule and the spec/code drift rules read this, never the syntax tree directly, except
 * for the handler body they are judging.
 */
export interface SourceSpan extends OffsetRange { file: string }

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options' | 'all';

export interface StatusSend {
  code: number;
  span: SourceSpan;
  via: 'status' | 'sendStatus' | 'exception' | 'httpCode' | 'default';
  /** The error body sent with it, when the call chain has one. */
  body?: ErrorBody;
  /** Exception class name for Nest (`NotFoundException`). */
  exception?: string;
}

export interface ErrorBody {
  kind: 'object' | 'string' | 'problem' | 'unknown';
  keys: string[];
  span: SourceSpan;
  contentType?: string;
}

export interface StoreCall {
  library: 'prisma' | 'typeorm' | 'mongoose' | 'sequelize' | 'knex' | 'sql';
  model?: string;
  operation: string;
  mutating: boolean;
  /** The call limits what it loads (take/limit/cursor/where-by-id, findUnique, LIMIT). */
  bounded: boolean;
  span: SourceSpan;
}

export interface RouteParam { name: string; in: 'path' | 'query' | 'header' | 'body'; span?: SourceSpan; typeName?: string }

export interface Middleware { name: string; span: SourceSpan }

export interface Route {
  framework: 'express' | 'nest';
  method: HttpMethod;
  /** Full path as written, prefixes resolved, framework syntax kept: `/api/users/:id`. */
  path: string;
  declaration: SourceSpan;
  pathSpan?: SourceSpan;
  handler?: { span: SourceSpan; name?: string; file: string };
  middleware: Middleware[];
  auth: boolean | 'unknown';
  /** Decorators/markers that declare the route public (`@Public()`, `@SkipAuth()`). */
  markedPublic: boolean;
  validated: boolean | 'unknown';
  statuses: StatusSend[];
  headersSet: { name: string; span: SourceSpan }[];
  params: RouteParam[];
  storeCalls: StoreCall[];
  /** Nest: the @Body() parameter's declared type. */
  bodyType?: string;
  /** Nest: the method's declared return type, Promise<> unwrapped. */
  returnType?: string;
  nestController?: { className: string; span: SourceSpan };
  /** Express: the app (root router, `file#name`) that serves the route; routes of different apps are different services. */
  app?: string;
}

export interface EntryPoint {
  file: string;
  span: SourceSpan;
  hasSigtermHandler: boolean;
  hasServerClose: boolean;
  hasCloseAllConnections: boolean;
  keepAliveTimeout?: number;
  keepAliveSpan?: SourceSpan;
  enableShutdownHooks: boolean;
  framework: 'express' | 'nest';
}

export interface AppFacts {
  frameworks: Set<'express' | 'nest'>;
  globalPrefix?: string;
  versioning?: { type: string; defaultVersion?: string; span: SourceSpan };
  globalPipes: Middleware[];
  globalFilters: Middleware[];
  globalGuards: Middleware[];
  /** Express (err, req, res, next) middlewares registered with app.use. */
  errorMiddleware: { span: SourceSpan; problemDetails: boolean }[];
  bodyParsers: { name: string; hasLimit: boolean; span: SourceSpan }[];
  entryPoints: EntryPoint[];
  /** Nest exception filters that answer problem details (by class). */
  problemFilters: string[];
}

export interface CodeFile { path: string; text: string }

export function emptyFacts(): AppFacts {
  return { frameworks: new Set(), globalPipes: [], globalFilters: [], globalGuards: [], errorMiddleware: [], bodyParsers: [], entryPoints: [], problemFilters: [] };
}
