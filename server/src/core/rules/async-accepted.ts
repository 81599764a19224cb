import { defineRule } from './rule';
import { isRecord, type Operation, type Resolved, type SpecContext } from '../engine/spec-context';
import { contentSchemas, pathSegments, responseHeaders, schemaShape } from '../engine/spec-helpers';
import { setMapEntry } from '../spec/edits';
import { valueAt } from '../spec/refs';
import type { JsonPath } from '../types';
import { charAt, type SpecDocument } from '../spec/document';
import { isWebhookReceiverPath, jsonPathKey, literalBodies, nodeAt, templatePath } from './_idempotency';
import ts from 'typescript';
import type { Fix, TextEdit } from '../types';
import type { StatusSend } from '../code/model';
import type { ExtractedRoute } from '../code/extract';
import type { CodeContext } from '../engine/code-context';
import { decoratorsOf } from '../code/ast';
import { addImports, appendParameter, codeStyle, declaresTopLevel, importedFrom, joinEdits, lineIndent, locationUnder, pathParameterReader } from './_code-edits';

const FOLLOW_HEADERS = ['location', 'content-location', 'operation-location', 'azure-asyncoperation', 'link'];
const LINK_FIELD = /(url|uri|href|links?|location|monitor|self|poll)$/i;
const JOB_ID_FIELD = /^(job|task|operation|request|run|execution|export|import|batch|workflow|process)_?id$/i;
const STATUS_FIELD = /^(status|state|phase|progress)$/i;
/** Fire-and-forget intake: nothing to follow after the 202. */
const INTAKE_SEGMENT = /^(events?|logs?|metrics|telemetry|analytics|track|tracking|traces|spans|beacons?|ingest|collect|pings?|heartbeats?|notifications?|feedback)$/i;
const PROSE_POINTS_TO_STATUS = /\bpoll|status (monitor|resource|endpoint|url)|\bGET \/|callback|webhook|notif(y|ied|ication)|will be (sent|emailed|notified)/i;

const METHODS = new Set(['post', 'put', 'patch']);

export default defineRule({
  id: 'async-accepted',
  scope: 'path-item',
  severity: 'info',
  description: '202 Accepted with no `Location` (or status resource in the body) for the client to follow.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: true,
  docs: {
    rationale: `A 202 says "accepted, not yet done" (RFC 9110 §15.3.3): the representation "ought to describe the request's current status and point to (or embed) a status monitor". Without a \`Location\` header or a status resource in the body, the client cannot learn whether the work succeeded, failed or is still running, and is left to guess or to retry the whole request. The guide: "Distinguish 'request accepted' from 'side effect completed' when async workflows exist."

Quiet when the 202 has a \`Location\`/\`Content-Location\`/\`Operation-Location\`/\`Link\` header, its body carries a link (\`statusUrl\`, \`href\`, \`_links\`) or a job id (\`jobId\`) or embeds the request's status (a \`status\`/\`state\` field), a free-form object says nothing either way, the operation declares \`callbacks\` or says where to poll, and for fire-and-forget intake (webhook receivers, \`POST /events\`, \`/logs\`, \`/metrics\`) where there is nothing to follow. DELETE is left alone (the resource itself answers 404 once gone).

The code quick fix sets the Location from the job the handler starts: \`res.status(202).location(...)\` in Express, \`@Res({ passthrough: true }) res\` and \`res.location(...)\` in NestJS (Express platform). It points under the route when the route names a collection (\`/exports/\${job.id}\`), else at \`/jobs/\${job.id}\`; an unassigned \`await queue.add(...)\` or \`await service.enqueue(...)\` is named \`job\` first. The status resource itself is yours to serve.`,
    bad: `paths:
  /exports:
    post:
      operationId: createExport
      responses:
        '202':
          description: Export started`,
    good: `paths:
  /exports:
    post:
      operationId: createExport
      responses:
        '202':
          description: Export started
          headers:
            Location:
              description: The export job to poll (GET /exports/{exportId}).
              schema: { type: string, format: uri-reference }`,
    references: ['RFC 9110 §15.3.3 202 Accepted', 'RFC 9110 §10.2.2 Location'],
  },
  checkSpec(context) {
    const reportedComponents = new Set<string>();
    for (const operation of context.operations()) {
      if (!METHODS.has(operation.method) || isIntake(operation.path)) continue;
      if (isRecord(operation.operation.callbacks) && Object.keys(operation.operation.callbacks).length > 0) continue;
      const accepted = context.responses(operation).find((entry) => entry.status === '202');
      if (!accepted || accepted.response.failure || !isRecord(accepted.response.value)) continue;
      const response = accepted.response;
      if (FOLLOW_HEADERS.some((name) => responseHeaders(response).has(name))) continue;
      const prose = [operation.operation.summary, operation.operation.description, response.value.description].filter((part) => typeof part === 'string').join(' ');
      if (PROSE_POINTS_TO_STATUS.test(prose)) continue;
      if (bodyPointsToStatus(context, response, operation) !== false) continue;
      const what = `${operation.method.toUpperCase()} ${operation.path}`;
      if (response.viaRef) {
        const key = jsonPathKey(response.doc, response.at);
        if (reportedComponents.has(key)) continue;
        reportedComponents.add(key);
        if (response.doc === context.doc) {
          context.report({
            at: response.at,
            message: `This 202 response (used by ${what}) has no Location header or status resource; add a Location pointing at a status monitor the client can poll.`,
            related: [{ doc: operation.doc, at: accepted.at, message: `used by ${what}` }],
            fix: locationFix(context, response.doc, response.at),
          });
          continue;
        }
      }
      context.report({
        doc: operation.doc,
        at: accepted.at,
        message: `The 202 of ${what} has no Location header or status resource; add a Location pointing at a status monitor the client can poll.`,
        related: response.viaRef ? [{ doc: response.doc, at: response.at, message: 'the 202 response is described here' }] : undefined,
        fix: response.viaRef ? undefined : locationFix(context, operation.doc, accepted.at),
      });
    }
  },
  checkRoute(context, route) {
    if (!METHODS.has(route.method) || !route.handlerNode) return;
    const path = templatePath(route.path);
    if (isIntake(path)) return;
    const accepted = route.statuses.find((status) => status.code === 202 && status.via !== 'default');
    if (!accepted || !context.isInFile(accepted.span)) return;
    if (route.headersSet.some((header) => FOLLOW_HEADERS.includes(header.name))) return;
    if (accepted.body && (accepted.body.kind === 'unknown' || accepted.body.keys.some(pointsToStatus) || hasJobShape(accepted.body.keys) || accepted.body.keys.includes('...'))) return;
    const bodies = literalBodies(route.handlerNode);
    if (bodies.opaque || bodies.keys.some(pointsToStatus) || hasJobShape(bodies.keys)) return;
    context.report({
      span: accepted.span,
      message: `${route.method.toUpperCase()} ${route.path} answers 202 with no Location header or status resource; set Location to a status monitor the client can poll (res.location(...) / @Header('Location', ...)) or return a job with its status URL.`,
      fix: codeFix(context, route, accepted),
    });
  },
});

function isIntake(path: string): boolean {
  if (isWebhookReceiverPath(path)) return true;
  const segments = pathSegments(path).filter((segment) => !segment.isParameter);
  const last = segments[segments.length - 1];
  return !!last && INTAKE_SEGMENT.test(last.text);
}

function pointsToStatus(name: string): boolean {
  return LINK_FIELD.test(name) || JOB_ID_FIELD.test(name);
}

/** A body that embeds the request's status (RFC 9110: "describe the request's current status"). */
function hasJobShape(keys: string[]): boolean {
  return keys.some((key) => STATUS_FIELD.test(key));
}

/** false: the body (if any) carries nothing to follow; true or 'unknown': stay quiet. */
function bodyPointsToStatus(context: SpecContext, response: Resolved<Record<string, unknown>>, operation: Operation): boolean | 'unknown' {
  for (const entry of contentSchemas(context, response, operation)) {
    if (entry.schema.failure) return 'unknown';
    const shape = schemaShape(context, entry.schema);
    if (shape.hasAlternatives) return 'unknown';
    const keys = [...shape.properties.keys()];
    if (keys.some(pointsToStatus) || hasJobShape(keys)) return true;
    // A free-form object (no properties) says nothing either way.
    if (keys.length === 0 && (shape.types.size === 0 || shape.types.has('object'))) return 'unknown';
  }
  return false;
}

function locationFix(context: SpecContext, doc: SpecDocument, at: JsonPath) {
  const response = doc.locate(at, 'value');
  if (doc.format === 'yaml' && charAt(doc, response.start) === '{') return undefined;
  const description = 'Where to poll for the status of the accepted request.';
  const header = context.isSwagger2
    ? { description, type: 'string', format: 'uri' }
    : { description, schema: { type: 'string', format: 'uri-reference' } };
  const value = valueAt(doc.root, at).value;
  const hasHeaders = isRecord(value) && isRecord(value.headers);
  if (hasHeaders && doc.format === 'yaml' && charAt(doc, doc.locate([...at, 'headers'], 'value').start) === '{') return undefined;
  return {
    title: 'Add a Location header to the 202 response',
    isPreferred: true,
    edits: () => [hasHeaders ? setMapEntry(doc, [...at, 'headers'], 'Location', header) : setMapEntry(doc, at, 'headers', { Location: header })],
  };
}

// ---------------------------------------------------------------- code fix

/** Variables that hold the accepted work: `job`, `task`, `exportJob`, `operation`. */
const JOB_VARIABLE = /^(job|task|operation|run|execution|workflow)$|(Job|Task|Operation|Run|Execution|Workflow)$/;
/** Awaited calls that start background work and (by convention) return it: `queue.add(...)`, `this.exports.enqueue(...)`. */
const ENQUEUE = /^(enqueue|schedule|submit|dispatch|trigger|launch|start(?!Transaction|Session)\w*|addJob|createJob|queue\w*)$/;

interface JobSource {
  name: string;
  /** The statement after which the job exists. */
  statement: ts.Statement;
  /** `await queue.add(...)` not yet assigned: the fix names it. */
  introduce: boolean;
}

/**
 * The variable holding the started job, or an awaited enqueue call whose result can be named `job`:
 * before `send` and in a block around it (Express), or anywhere in the handler (Nest `@HttpCode(202)`).
 */
function jobSource(handler: ts.Node, send: ts.Node | undefined): JobSource | undefined {
  const before = send ? send.getStart() : handler.getEnd();
  const encloses = (outer: ts.Node) => !send || (send.getStart() >= outer.getStart() && send.getEnd() <= outer.getEnd());
  let found: JobSource | undefined;
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    if (!found && node.getEnd() <= before) {
      if (ts.isVariableStatement(node) && node.declarationList.declarations.length === 1) {
        const declaration = node.declarationList.declarations[0];
        if (ts.isIdentifier(declaration.name) && JOB_VARIABLE.test(declaration.name.text) && encloses(node.parent)) found = { name: declaration.name.text, statement: node, introduce: false };
      }
      if (ts.isExpressionStatement(node) && ts.isAwaitExpression(node.expression) && ts.isCallExpression(node.expression.expression) && encloses(node.parent)) {
        const callee = node.expression.expression.expression;
        if (ts.isPropertyAccessExpression(callee) && (ENQUEUE.test(callee.name.text) || (callee.name.text === 'add' && /queue/i.test(callee.expression.getText())))) {
          found = { name: 'job', statement: node, introduce: true };
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(handler);
  if (found?.introduce && names.has('job')) return undefined;
  return found;
}

/** Where a job can be polled: under the route when it names a collection (`/exports/${job.id}`), else `/jobs/${job.id}`. */
function statusLocation(route: ExtractedRoute, handler: ts.Node, job: string): string | undefined {
  const segments = route.path.split('/').filter(Boolean);
  const last = segments[segments.length - 1] ?? '';
  if (/^[a-z][a-z0-9-]*s$/i.test(last) && !/ss$/i.test(last)) {
    const under = locationUnder(route.path, pathParameterReader(handler), `${job}.id`);
    if (under) return under;
  }
  const kind = /task/i.test(job) ? 'tasks' : /operation/i.test(job) ? 'operations' : /execution/i.test(job) ? 'executions' : /workflow/i.test(job) ? 'workflows' : /^run$|Run$/.test(job) ? 'runs' : 'jobs';
  return `\`/${kind}/\${${job}.id}\``;
}

/**
 * Express (and `res.status(202)` in Nest): `.location(`/exports/${job.id}`)` on the 202 response.
 * Nest `@HttpCode(202)`: `@Res({ passthrough: true }) res: Response` and `res.location(...)` after
 * the job is started. An unassigned `await queue.add(...)` becomes `const job = await ...`.
 */
function codeFix(context: CodeContext, route: ExtractedRoute, accepted: StatusSend): Fix | undefined {
  if (!route.handlerNode || route.handlerNode.getSourceFile() !== context.source) return undefined;
  const source = context.source;
  const handler = route.handlerNode;
  const node = nodeAt(source, accepted.span.start, accepted.span.end);
  if (!node) return undefined;
  const job = jobSource(handler, accepted.via === 'httpCode' ? undefined : node);
  if (!job) return undefined;
  const location = statusLocation(route, handler, job.name);
  if (!location) return undefined;
  const introduce: TextEdit | undefined = job.introduce ? { uri: context.uri, start: job.statement.getStart(source), end: job.statement.getStart(source), newText: 'const job = ' } : undefined;
  const title = `Set Location to the status resource ${location.slice(1, -1)}`;
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && (accepted.via === 'status' || accepted.via === 'sendStatus')) {
    const at = accepted.via === 'status' ? node.getEnd() : node.expression.expression.getEnd();
    if (accepted.via === 'sendStatus' && !ts.isIdentifier(node.expression.expression)) return undefined;
    return { title, isPreferred: true, edits: () => joinEdits([introduce, { uri: context.uri, start: at, end: at, newText: `.location(${location})` }]) };
  }
  if (accepted.via !== 'httpCode' || !ts.isMethodDeclaration(handler) || !handler.body) return undefined;
  // Nest: a response object to set the header on. Express platform only (Fastify replies have no location()).
  if (/fastify/i.test(source.text)) return undefined;
  const existingRes = handler.parameters.find((p) => decoratorsOf(p).some((d) => d.name === 'Res' || d.name === 'Response') && ts.isIdentifier(p.name));
  const resName = existingRes ? (existingRes.name as ts.Identifier).text : 'res';
  if (!existingRes) {
    if (handler.parameters.some((p) => p.name.getText(source) === 'res' || !!p.dotDotDotToken)) return undefined;
    if (declaresTopLevel(source, 'Res') && importedFrom(source, 'Res') !== '@nestjs/common') return undefined;
    if (declaresTopLevel(source, 'Response') && importedFrom(source, 'Response') !== 'express') return undefined;
  }
  const statementEnd = job.statement.getEnd();
  const indent = lineIndent(source.text, job.statement.getStart(source));
  return {
    title: `${title} (through @Res({ passthrough: true }))`,
    isPreferred: true,
    edits: (): TextEdit[] => {
      const style = codeStyle(source);
      return joinEdits([
        existingRes ? undefined : addImports(context, style, '@nestjs/common', ['Res']),
        existingRes ? undefined : addImports(context, style, 'express', ['Response'], { typeOnly: true }),
        introduce,
        { uri: context.uri, start: statementEnd, end: statementEnd, newText: `${style.eol}${indent}${resName}.location(${location})${style.semi}` },
        existingRes ? undefined : appendParameter(context, style, handler, `@Res({ passthrough: true }) ${resName}: Response`),
      ]);
    },
  };
}
