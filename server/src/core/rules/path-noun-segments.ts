import { defineRule } from './rule';
import { isRecord } from '../engine/spec-context';
import { CRUD_VERBS, normaliseCodePath, segmentsOf, verbInSegment, type Segment } from './_paths';

/** The verb-like segment of a path that should be a noun, or undefined when the path is fine. */
export function verbSegment(path: string, methods: Set<string>): { segment: string; verb: string } | undefined {
  const segments = segmentsOf(path);
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    if (segment.param || /[{}]/.test(segment.text)) continue;
    const found = verbInSegment(segment.text);
    if (!found) continue;
    if (isCommandSubResource(segments, index, methods) && !CRUD_VERBS.has(found.verb)) continue;
    return { segment: segment.text, verb: found.verb };
  }
  return undefined;
}

/** `POST /orders/{orderId}/cancel`, `POST /users/{userId}/reset-password`: a command on an item. */
function isCommandSubResource(segments: readonly Segment[], index: number, methods: Set<string>): boolean {
  return index === segments.length - 1 && index > 0 && !!segments[index - 1].param && methods.size > 0 && [...methods].every((m) => m === 'post');
}

function message(path: string, found: { segment: string; verb: string }): string {
  return CRUD_VERBS.has(found.verb)
    ? `Path segment '${found.segment}' of '${path}' is a verb ('${found.verb}') that duplicates an HTTP method; name the resource with a noun and let the method say the action (e.g. POST /users, not /users/create).`
    : `Path segment '${found.segment}' of '${path}' is a verb phrase; resources are nouns (/users/{userId}/sessions), and a command on an item is a POST sub-resource such as /orders/{orderId}/cancel.`;
}

export default defineRule({
  id: 'path-noun-segments',
  scope: 'path-item',
  severity: 'warning',
  description: 'A static path segment that is a verb or verb phrase (`/getUsers`, `/users/create`) instead of a noun.',
  appliesTo: ['spec', 'express', 'nest'],
  fixable: false,
  docs: {
    rationale: `The guide: "Resource names are nouns and URL shape is stable (\`/users/{userId}/sessions\`, not \`/doUserSessionThing\`)" and "POST for create/commands, PUT for full replacement, PATCH for partial update, DELETE for delete". The HTTP method already says what happens (RFC 9110 §9); a verb in the path (\`/getUsers\`, \`/users/create\`, \`/deleteOrder\`) duplicates it, usually disagrees with it, and makes every new action a new URL instead of a method on an existing resource. Commands that are not CRUD are fine as a POST sub-resource of the item they act on (\`POST /orders/{orderId}/cancel\`), and established controller names such as \`/search\`, \`/login\` or \`/export\` are not flagged.`,
    bad: `paths:
  /getUsers:
    get: { operationId: listUsers, responses: { '200': { description: Users } } }
  /users/create:
    post: { operationId: createUser, responses: { '201': { description: Created } } }`,
    good: `paths:
  /users:
    get: { operationId: listUsers, responses: { '200': { description: Users } } }
    post: { operationId: createUser, responses: { '201': { description: Created } } }
  /orders/{orderId}/cancel:
    post: { operationId: cancelOrder, responses: { '200': { description: Cancelled } } }`,
    references: ['RFC 9110 §9 Methods', 'RFC 3986 §3.3 Path'],
  },
  checkSpec(context) {
    const paths = context.root.paths;
    if (!isRecord(paths)) return;
    const methods = new Map<string, Set<string>>();
    for (const operation of context.operations()) {
      if (!methods.has(operation.path)) methods.set(operation.path, new Set());
      methods.get(operation.path)!.add(operation.method);
    }
    for (const path of Object.keys(paths)) {
      if (!path.startsWith('/')) continue;
      const found = verbSegment(path, methods.get(path) ?? new Set());
      if (found) context.report({ at: ['paths', path], message: message(path, found) });
    }
  },
  checkCode(context) {
    const methods = new Map<string, Set<string>>();
    for (const route of context.allRoutes) {
      const path = normaliseCodePath(route.path);
      if (!methods.has(path)) methods.set(path, new Set());
      methods.get(path)!.add(route.method);
    }
    const reported = new Set<string>();
    for (const route of context.routes()) {
      if (!route.pathSpan || !context.isInFile(route.pathSpan)) continue;
      const path = normaliseCodePath(route.path);
      const found = verbSegment(path, methods.get(path) ?? new Set());
      if (!found) continue;
      // Only where the segment is written: a verb in a mount prefix belongs to the file that mounts it.
      const literal = context.text(route.pathSpan);
      if (!literal.includes(found.segment)) continue;
      const key = `${route.pathSpan.start}:${found.segment}`;
      if (reported.has(key)) continue;
      reported.add(key);
      context.report({ span: route.pathSpan, message: message(path, found) });
    }
  },
});
