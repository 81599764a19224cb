import ts from 'typescript';
import { calleeName, expressionText, forEachDescendantOfKind, NEST_EXCEPTIONS, numberValue, objectKeys, spanOf, stringValue } from './ast';
import type { ErrorBody, RouteParam, SourceSpan, StatusSend, StoreCall } from './model';

export interface HandlerFacts {
  statuses: StatusSend[];
  headersSet: { name: string; span: { file: string; start: number; end: number } }[];
  params: RouteParam[];
  storeCalls: StoreCall[];
  /** The body validates its input itself (`schema.parse(req.body)`, `validationResult(req)`). */
  validatesInBody: boolean;
  /** Sends a body without setting a status (Express default 200). */
  sendsWithoutStatus?: { span: { file: string; start: number; end: number } };
}

const SEND_METHODS = new Set(['json', 'send', 'end', 'jsonp', 'sendFile', 'render', 'redirect']);
const PRISMA_OPERATIONS: Record<string, { mutating: boolean }> = {
  findMany: { mutating: false }, findFirst: { mutating: false }, findUnique: { mutating: false }, findFirstOrThrow: { mutating: false }, findUniqueOrThrow: { mutating: false },
  count: { mutating: false }, aggregate: { mutating: false }, groupBy: { mutating: false },
  create: { mutating: true }, createMany: { mutating: true }, createManyAndReturn: { mutating: true }, update: { mutating: true }, updateMany: { mutating: true },
  upsert: { mutating: true }, delete: { mutating: true }, deleteMany: { mutating: true },
};
const TYPEORM_OPERATIONS: Record<string, boolean> = {
  find: false, findAndCount: false, findBy: false, findOne: false, findOneBy: false, findOneOrFail: false, findOneByOrFail: false, count: false, countBy: false, exist: false, exists: false,
  save: true, insert: true, update: true, delete: true, remove: true, softDelete: true, softRemove: true, upsert: true, increment: true, decrement: true, restore: true, clear: true,
};
const MONGOOSE_OPERATIONS: Record<string, boolean> = {
  find: false, findOne: false, findById: false, countDocuments: false, estimatedDocumentCount: false, aggregate: false, exists: false, distinct: false,
  create: true, insertMany: true, updateOne: true, updateMany: true, deleteOne: true, deleteMany: true, findByIdAndUpdate: true, findByIdAndDelete: true,
  findOneAndUpdate: true, findOneAndDelete: true, findOneAndReplace: true, replaceOne: true, bulkWrite: true,
};
const SEQUELIZE_OPERATIONS: Record<string, boolean> = { findAll: false, findAndCountAll: false, findByPk: false, count: false, create: true, bulkCreate: true, update: true, destroy: true, upsert: true, increment: true };
const KNEX_MUTATIONS = new Set(['insert', 'update', 'del', 'delete', 'truncate', 'upsert']);

/**
 * Reads a handler's body: the status codes it can send and with what body, the headers it sets,
 * the request fields it reads, and the data-store calls it makes.
 */
/**
 * The editor's memory of handler facts: a handler's facts depend only on its own text, so a
 * keystroke in a route file re-reads the handler it touched, not every handler of the file. Facts
 * are kept by the handler's text with offsets relative to where it started, and handed out as
 * copies (callers add to them) moved to where the handler is now.
 */
export class HandlerFactsMemory {
  private readonly byText = new Map<string, { start: number; facts: HandlerFacts }>();
  private static readonly MAX_HANDLERS = 20000;

  analyze(fn: ts.Node, file: string, framework: 'express' | 'nest'): HandlerFacts {
    const source = fn.getSourceFile();
    // The parent's kind guards against the same text parsed in another context.
    const key = `${framework}\0${file}\0${fn.kind}\0${fn.parent?.kind}\0${source.text.slice(fn.pos, fn.end)}`;
    const known = this.byText.get(key);
    if (known) {
      // Most recently used last, so the oldest handlers go first when the memory is full.
      this.byText.delete(key);
      this.byText.set(key, known);
      return movedFacts(known.facts, fn.pos - known.start);
    }
    const facts = analyzeHandler(fn, file, framework);
    if (this.byText.size >= HandlerFactsMemory.MAX_HANDLERS) this.byText.delete(this.byText.keys().next().value!);
    this.byText.set(key, { start: fn.pos, facts: movedFacts(facts, 0) });
    return facts;
  }
}

/** A copy of `facts` with every offset moved by `delta`. */
function movedFacts(facts: HandlerFacts, delta: number): HandlerFacts {
  return factsWithSpans(facts, (span) => ({ file: span.file, start: span.start + delta, end: span.end + delta }));
}

/** A copy of `facts` with every span passed through `moved` (the one list of a handler's spans). */
export function factsWithSpans(facts: HandlerFacts, moved: (span: SourceSpan) => SourceSpan): HandlerFacts {
  return {
    statuses: facts.statuses.map((status) => ({ ...status, span: moved(status.span), body: status.body && { ...status.body, keys: [...status.body.keys], span: moved(status.body.span) } })),
    headersSet: facts.headersSet.map((header) => ({ ...header, span: moved(header.span) })),
    params: facts.params.map((param) => ({ ...param, span: param.span && moved(param.span) })),
    storeCalls: facts.storeCalls.map((call) => ({ ...call, span: moved(call.span) })),
    validatesInBody: facts.validatesInBody,
    sendsWithoutStatus: facts.sendsWithoutStatus && { span: moved(facts.sendsWithoutStatus.span) },
  };
}

export function analyzeHandler(fn: ts.Node, file: string, framework: 'express' | 'nest'): HandlerFacts {
  const facts: HandlerFacts = { statuses: [], headersSet: [], params: [], storeCalls: [], validatesInBody: false };
  const seenParams = new Set<string>();
  const addParam = (name: string, where: RouteParam['in'], node: ts.Node) => {
    const key = `${where}:${name}`;
    if (seenParams.has(key)) return;
    seenParams.add(key);
    facts.params.push({ name, in: where, span: spanOf(node, file) });
  };

  const kinds = [ts.SyntaxKind.CallExpression, ts.SyntaxKind.ThrowStatement, ts.SyntaxKind.PropertyAccessExpression, ts.SyntaxKind.ElementAccessExpression, ts.SyntaxKind.VariableDeclaration];
  forEachDescendantOfKind(fn, kinds, (node) => {
    if (ts.isCallExpression(node)) {
      readResponseCall(node, file, facts);
      readStoreCall(node, file, facts);
      const callee = expressionText(node.expression);
      if (/\.(parse|safeParse|validate|validateSync|parseAsync|safeParseAsync)$/.test(callee) && node.arguments.some((arg) => /req(uest)?\.body|body/.test(expressionText(arg)))) facts.validatesInBody = true;
      if (/(^|\.)validationResult$|(^|\.)validateOrReject$|(^|\.)plainToInstance$/.test(callee)) facts.validatesInBody = true;
      if (/^(req|request)\.(get|header)$/.test(callee)) {
        const name = stringValue(node.arguments[0]);
        if (name) addParam(name.toLowerCase(), 'header', node);
      }
    }
    if (ts.isThrowStatement(node) && node.expression && ts.isNewExpression(node.expression)) {
      const name = calleeName(node.expression.expression);
      const code = NEST_EXCEPTIONS[name] ?? (name === 'HttpException' ? numberValue(node.expression.arguments?.[1]) : undefined);
      if (code) {
        const firstArg = node.expression.arguments?.[0];
        const body: ErrorBody | undefined = firstArg && ts.isObjectLiteralExpression(firstArg)
          ? { kind: objectKeys(firstArg).some((k) => k === 'type') && objectKeys(firstArg).includes('title') ? 'problem' : 'object', keys: objectKeys(firstArg), span: spanOf(firstArg, file) }
          : firstArg ? { kind: 'string', keys: [], span: spanOf(firstArg, file) } : undefined;
        facts.statuses.push({ code, span: spanOf(node.expression, file), via: 'exception', exception: name, body });
      }
    }
    if (ts.isPropertyAccessExpression(node)) {
      const owner = expressionText(node.expression);
      const where = /^(req|request)\.params$/.test(owner) ? 'path' : /^(req|request)\.query$/.test(owner) ? 'query' : /^(req|request)\.body$/.test(owner) ? 'body' : undefined;
      if (where) addParam(node.name.text, where, node);
    }
    if (ts.isElementAccessExpression(node)) {
      const owner = expressionText(node.expression);
      const key = stringValue(node.argumentExpression);
      if (key && /^(req|request)\.headers$/.test(owner)) addParam(key.toLowerCase(), 'header', node);
      if (key && /^(req|request)\.(query|params|body)$/.test(owner)) addParam(key, owner.endsWith('query') ? 'query' : owner.endsWith('params') ? 'path' : 'body', node);
    }
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isObjectBindingPattern(node.name)) {
      const owner = expressionText(node.initializer);
      const where = /^(req|request)\.params$/.test(owner) ? 'path' : /^(req|request)\.query$/.test(owner) ? 'query' : /^(req|request)\.body$/.test(owner) ? 'body' : undefined;
      if (where) for (const element of node.name.elements) {
        const name = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : ts.isIdentifier(element.name) ? element.name.text : undefined;
        if (name) addParam(name, where, element);
      }
    }
  });
  void framework;
  return facts;
}

/** `res.status(404).json({...})`, `res.sendStatus(204)`, `res.set('Location', x)`, `res.json(x)`. */
function readResponseCall(node: ts.CallExpression, file: string, facts: HandlerFacts) {
  if (!ts.isPropertyAccessExpression(node.expression)) return;
  const method = node.expression.name.text;
  const receiver = node.expression.expression;
  const root = chainRoot(receiver);
  if (!root || !/^(res|response|reply)$/.test(root)) return;
  if (method === 'status' || method === 'sendStatus') {
    const code = numberValue(node.arguments[0]);
    if (code === undefined) return;
    const chain = chainAbove(node);
    const send = chain.find((call) => SEND_METHODS.has(call.method));
    const contentType = chain.map((call) => (call.method === 'type' ? stringValue(call.node.arguments[0]) : /^(set|header|setHeader)$/.test(call.method) && /^content-type$/i.test(stringValue(call.node.arguments[0]) ?? '') ? stringValue(call.node.arguments[1]) : undefined)).find(Boolean);
    let body: ErrorBody | undefined;
    const payload = send?.node.arguments[0];
    if (payload) {
      if (ts.isObjectLiteralExpression(payload)) {
        const keys = objectKeys(payload);
        body = { kind: (/problem\+json/.test(contentType ?? '') || (keys.includes('type') && keys.includes('title') && keys.includes('status'))) ? 'problem' : 'object', keys, span: spanOf(payload, file), contentType };
      } else if (stringValue(payload) !== undefined || ts.isTemplateExpression(payload)) body = { kind: 'string', keys: [], span: spanOf(payload, file), contentType };
      else body = { kind: /problem\+json/.test(contentType ?? '') ? 'problem' : 'unknown', keys: [], span: spanOf(payload, file), contentType };
    }
    facts.statuses.push({ code, span: spanOf(node, file), via: method === 'status' ? 'status' : 'sendStatus', body });
    for (const call of chain) readHeaderCall(call.node, call.method, file, facts);
    return;
  }
  if (/^(set|header|setHeader|append|location|links|cookie)$/.test(method) && !isInsideStatusChain(node)) {
    readHeaderCall(node, method, file, facts);
  }
  if (SEND_METHODS.has(method) && method !== 'redirect' && ts.isIdentifier(receiver) && !facts.sendsWithoutStatus) {
    facts.sendsWithoutStatus = { span: spanOf(node, file) };
  }
}

function readHeaderCall(node: ts.CallExpression, method: string, file: string, facts: HandlerFacts) {
  if (method === 'location') facts.headersSet.push({ name: 'location', span: spanOf(node, file) });
  else if (method === 'cookie') facts.headersSet.push({ name: 'set-cookie', span: spanOf(node, file) });
  else if (/^(set|header|setHeader|append)$/.test(method)) {
    const first = node.arguments[0];
    const name = stringValue(first);
    if (name) facts.headersSet.push({ name: name.toLowerCase(), span: spanOf(node, file) });
    else if (first && ts.isObjectLiteralExpression(first)) for (const key of objectKeys(first)) facts.headersSet.push({ name: key.toLowerCase(), span: spanOf(node, file) });
  }
}

function isInsideStatusChain(node: ts.CallExpression): boolean {
  let current: ts.Node = node.expression;
  while (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current)) {
    current = ts.isPropertyAccessExpression(current) ? current.expression : current.expression;
    if (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression) && /^(status|sendStatus)$/.test(current.expression.name.text)) return true;
  }
  return false;
}

/** The identifier a call chain starts from: `res.status(1).json()` -> 'res'. */
function chainRoot(node: ts.Expression): string | undefined {
  let current: ts.Expression = node;
  for (;;) {
    if (ts.isIdentifier(current)) return current.text;
    if (ts.isPropertyAccessExpression(current)) current = current.expression;
    else if (ts.isCallExpression(current)) current = current.expression;
    else if (current.kind === ts.SyntaxKind.ThisKeyword) return 'this';
    else return undefined;
  }
}

/** The calls chained after `node`: `res.status(404).type(x).json(y)` from the status call. */
function chainAbove(node: ts.CallExpression): { method: string; node: ts.CallExpression }[] {
  const chain: { method: string; node: ts.CallExpression }[] = [];
  let current: ts.Node = node;
  while (current.parent && ts.isPropertyAccessExpression(current.parent) && current.parent.parent && ts.isCallExpression(current.parent.parent)) {
    chain.push({ method: current.parent.name.text, node: current.parent.parent });
    current = current.parent.parent;
  }
  return chain;
}

function readStoreCall(node: ts.CallExpression, file: string, facts: HandlerFacts) {
  if (!ts.isPropertyAccessExpression(node.expression)) return;
  const operation = node.expression.name.text;
  const receiverText = expressionText(node.expression.expression);
  const args = node.arguments[0];
  const argKeys = args && ts.isObjectLiteralExpression(args) ? objectKeys(args) : [];
  const chained = chainAbove(node).map((call) => call.method);
  const push = (library: StoreCall['library'], mutating: boolean, bounded: boolean, model?: string) =>
    facts.storeCalls.push({ library, model, operation, mutating, bounded, span: spanOf(node, file) });

  // Prisma: prisma.user.findMany(...), this.prisma.user.create(...), tx.user.update(...)
  const prisma = /(^|\.)(prisma|db|tx|client)\.([A-Za-z_]\w*)$/.exec(receiverText);
  if (prisma && PRISMA_OPERATIONS[operation]) {
    const bounded = operation !== 'findMany' || argKeys.some((k) => ['take', 'cursor'].includes(k));
    push('prisma', PRISMA_OPERATIONS[operation].mutating, bounded, prisma[3]);
    return;
  }
  // TypeORM repositories / entity manager: this.userRepository.find(), repo.save(), manager.delete()
  if (/(repo|repository|Repository|manager|Manager|dataSource)$/.test(receiverText) && operation in TYPEORM_OPERATIONS) {
    const bounded = !/^(find|findAndCount|findBy)$/.test(operation) || argKeys.includes('take') || chained.includes('take');
    push('typeorm', TYPEORM_OPERATIONS[operation], bounded, receiverText.replace(/^this\./, '').replace(/Repository$|Repo$/i, ''));
    return;
  }
  if (operation === 'createQueryBuilder' && /(repo|repository|Repository|manager|dataSource)$/.test(receiverText)) {
    const bounded = chained.some((m) => ['take', 'limit', 'getOne', 'getOneOrFail'].includes(m));
    const mutating = chained.some((m) => ['insert', 'update', 'delete', 'softDelete'].includes(m));
    push('typeorm', mutating, bounded, receiverText);
    return;
  }
  // Mongoose models: User.find(), OrderModel.create(), this.userModel.findById()
  const modelName = /(^|\.)([A-Z]\w*|\w+Model)$/.exec(receiverText)?.[2];
  if (modelName && operation in MONGOOSE_OPERATIONS) {
    const bounded = !/^(find|aggregate)$/.test(operation) || chained.includes('limit');
    push('mongoose', MONGOOSE_OPERATIONS[operation], bounded, modelName);
    return;
  }
  if (modelName && operation in SEQUELIZE_OPERATIONS) {
    const bounded = !/^(findAll|findAndCountAll)$/.test(operation) || argKeys.includes('limit');
    push('sequelize', SEQUELIZE_OPERATIONS[operation], bounded, modelName);
    return;
  }
  // Knex: knex('users').insert(...), db('orders').where(...).update(...)
  if (KNEX_MUTATIONS.has(operation) || operation === 'select' || operation === 'first') {
    const root = knexRoot(node.expression.expression);
    if (root) {
      const bounded = operation !== 'select' || chained.includes('limit') || chained.includes('first');
      push('knex', KNEX_MUTATIONS.has(operation), bounded, root);
      return;
    }
  }
  // Raw SQL: db.query('INSERT ...'), pool.query(sql`...`)
  if (/^(query|execute|raw|\$queryRaw|\$executeRaw|\$queryRawUnsafe|\$executeRawUnsafe)$/.test(operation)) {
    const sql = args ? (stringValue(args) ?? (ts.isTemplateExpression(args) ? args.head.text : ts.isTaggedTemplateExpression(args) ? args.template.getText() : undefined)) : undefined;
    if (sql && /^\s*(select|insert|update|delete|with|merge|replace|upsert)\b/i.test(sql)) {
      push('sql', /^\s*(insert|update|delete|merge|replace|upsert)\b/i.test(sql), /\blimit\b|\bwhere\b.*\bid\b\s*=/i.test(sql));
    }
  }
}

function knexRoot(node: ts.Expression): string | undefined {
  let current: ts.Expression = node;
  for (let depth = 0; depth < 20; depth++) {
    if (ts.isCallExpression(current)) {
      if (ts.isIdentifier(current.expression) && /^(knex|db|trx|k)$/.test(current.expression.text)) return stringValue(current.arguments[0]) ?? current.expression.text;
      current = current.expression;
    } else if (ts.isPropertyAccessExpression(current)) current = current.expression;
    else return undefined;
  }
  return undefined;
}
