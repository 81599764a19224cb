import { defineRule } from './rule';
import { isRecord, type SpecContext } from '../engine/spec-context';
import { charAt, type SpecDocument } from '../spec/document';

export default defineRule({
  id: 'oas-version-3-2-caution',
  severity: 'hint',
  description: '`openapi: 3.2.x` while the document uses no 3.2-only feature: author for 3.1 unless the toolchain proves 3.2 support.',
  appliesTo: ['spec'],
  fixable: true,
  docs: {
    rationale: `OpenAPI 3.2.0 (September 2025) is the current specification, but much of the framework and Swagger ecosystem (code generators, gateways, mock servers, documentation renderers) still centres on 3.1.x, and many of them reject a document whose \`openapi\` field they do not know. The guide's advice is to default to authoring for 3.1 compatibility unless the project's actual toolchain proves 3.2 support end to end, and not to advertise 3.2 just because the standard moved. When a document declares 3.2 but uses nothing 3.2 adds (the \`query\` method, \`additionalOperations\`, \`$self\`, tag \`parent\`/\`kind\`/\`summary\`, \`itemSchema\`/\`itemEncoding\`/\`prefixEncoding\`, \`in: querystring\`, \`style: cookie\`, Example \`dataValue\`/\`serializedValue\`, reusable \`components.mediaTypes\`, \`oauth2MetadataUrl\`, the device authorization flow, \`deprecated\` security schemes, response \`summary\`, server \`name\`, discriminator \`defaultMapping\`, XML \`nodeType\`), declaring 3.1.2 loses nothing and works with more tools. A 3.2 document that uses 3.2 features is fine and is not reported.`,
    bad: `openapi: 3.2.0
info:
  title: Orders
  version: 1.0.0
paths:
  /orders:
    get:
      responses:
        '200':
          description: The orders`,
    good: `openapi: 3.1.2
info:
  title: Orders
  version: 1.0.0
paths:
  /orders:
    get:
      responses:
        '200':
          description: The orders`,
    references: ['OpenAPI Specification 3.2.0', 'https://spec.openapis.org/oas/v3.2.0.html'],
  },
  checkSpec(context) {
    if (context.doc.version !== '3.2') return;
    if (typeof context.root.openapi !== 'string') return;
    const evidence = new FeatureScan(context).run();
    if (evidence !== 'none') return; // a 3.2 feature, or a part of the document we could not read
    const doc = context.doc;
    context.report({
      at: ['openapi'],
      part: 'value',
      message: `The document declares OpenAPI ${context.doc.versionText} but uses no 3.2-only feature; declare 3.1.2 unless every tool in your toolchain supports 3.2.`,
      fix: {
        title: 'Declare OpenAPI 3.1.2',
        isPreferred: true,
        edits: () => {
          const span = doc.locate(['openapi'], 'value');
          const first = charAt(doc, span.start);
          const quoted = (first === '"' || first === "'") && charAt(doc, span.end - 1) === first && span.end - span.start >= 2;
          return [{ uri: doc.uri, start: quoted ? span.start + 1 : span.start, end: quoted ? span.end - 1 : span.end, newText: '3.1.2' }];
        },
      },
    });
  },
});

/** Keys that only OpenAPI 3.2 gives a meaning to (a schema property of the same name only makes the rule quieter). */
const DISTINCT_KEYS = new Set([
  'additionalOperations', 'itemSchema', 'itemEncoding', 'prefixEncoding', 'dataValue', 'serializedValue',
  'oauth2MetadataUrl', 'deviceAuthorization', 'defaultMapping', 'nodeType',
]);
/** A Response Object using 3.2: a `summary`, or no `description` (optional only since 3.2). */
function isResponse32(response: unknown): boolean {
  return isRecord(response) && !('$ref' in response) && ('summary' in response || !('description' in response));
}

/** Maps whose keys are names chosen by the author (a property may be called `itemSchema`). */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'schemas', 'parameters', 'headers', 'examples', 'links', 'callbacks', 'securitySchemes', 'requestBodies', 'pathItems', 'mediaTypes', 'scopes', 'mapping', 'variables', 'encoding']);
const STATUS_KEY = /^(?:[1-5](?:\d\d|XX)|default)$/;
const MAX_NODES = 2_000_000;

/**
 * Walks the document (and the files its `$ref`s reach) once, looking for any 3.2-only construct.
 * Returns 'none' only when the whole document was read and nothing was found.
 */
class FeatureScan {
  private readonly seen = new WeakSet<object>();
  private readonly docs = new Set<string>();
  private nodes = 0;
  private result: 'none' | 'found' | 'unknown' = 'none';

  constructor(private readonly context: SpecContext) {}

  run(): 'none' | 'found' | 'unknown' {
    const root = this.context.root;
    if ('$self' in root) return 'found';
    if (isRecord(root.components) && 'mediaTypes' in root.components) return 'found';
    if (Array.isArray(root.tags) && root.tags.some((tag) => isRecord(tag) && ('parent' in tag || 'kind' in tag || 'summary' in tag))) return 'found';
    const schemes = isRecord(root.components) && isRecord(root.components.securitySchemes) ? root.components.securitySchemes : {};
    if (Object.values(schemes).some((scheme) => isRecord(scheme) && 'deprecated' in scheme)) return 'found';
    const responses = isRecord(root.components) && isRecord(root.components.responses) ? root.components.responses : {};
    if (Object.values(responses).some(isResponse32)) return 'found';
    this.docs.add(this.context.doc.uri);
    this.walk(root, this.context.doc, '');
    return this.result;
  }

  private walk(value: unknown, doc: SpecDocument, key: string): void {
    if (this.result !== 'none' || value === null || typeof value !== 'object') return;
    if (this.seen.has(value)) return;
    this.seen.add(value);
    if (++this.nodes > MAX_NODES) { this.result = 'unknown'; return; }
    if (Array.isArray(value)) {
      // Server Objects with a `name` (root, path item and operation `servers`).
      if (key === 'servers' && value.some((server) => isRecord(server) && 'name' in server)) { this.result = 'found'; return; }
      for (const item of value) this.walk(item, doc, '');
      return;
    }
    const record = value as Record<string, unknown>;
    if (this.isFeature(record, key)) { this.result = 'found'; return; }
    if (typeof record.$ref === 'string' && !record.$ref.startsWith('#')) this.followExternal(record.$ref, doc);
    for (const [childKey, child] of Object.entries(record)) {
      if (this.result !== 'none') return;
      // Example and default values are data, not description structure.
      // Specification extensions hold vendor data, not OpenAPI structure.
      if (childKey.startsWith('x-') && !NAME_MAPS.has(key)) continue;
      if (childKey === 'example' || childKey === 'default' || childKey === 'enum' || childKey === 'const' || (childKey === 'examples' && Array.isArray(child))) continue;
      this.walk(child, doc, childKey);
    }
  }

  /** One object seen under `key`: is it (or does it hold) a 3.2-only construct? */
  private isFeature(record: Record<string, unknown>, key: string): boolean {
    if (!NAME_MAPS.has(key)) for (const name of Object.keys(record)) if (DISTINCT_KEYS.has(name)) return true;
    // QUERY operations in any path item (paths, webhooks, callbacks, components.pathItems).
    if (isRecord(record.query) && (isRecord(record.query.responses) || typeof record.query.operationId === 'string' || 'requestBody' in record.query)) return true;
    // Parameters: `in: querystring`, `style: cookie`.
    if (record.in === 'querystring' || (record.in === 'cookie' && record.style === 'cookie')) return true;
    // Responses: `summary`, or no `description` (optional only since 3.2).
    if (key === 'responses') {
      for (const [status, response] of Object.entries(record)) {
        if (STATUS_KEY.test(status) && isResponse32(response)) return true;
      }
    }
    // Content maps: a Media Type Object behind a `$ref`, or with a `description`.
    if (key === 'content') {
      for (const [mediaType, entry] of Object.entries(record)) {
        if (mediaType.includes('/') && isRecord(entry) && ('$ref' in entry || 'description' in entry)) return true;
      }
    }
    return false;
  }

  private followExternal(ref: string, from: SpecDocument) {
    const hash = ref.indexOf('#');
    const filePart = hash >= 0 ? ref.slice(0, hash) : ref;
    const resolved = this.context.refs.resolve(from, filePart + '#');
    if (!resolved.ok) { this.result = 'unknown'; return; }
    if (this.docs.has(resolved.doc.uri)) return;
    this.docs.add(resolved.doc.uri);
    // The whole referenced file: a fragment of it may hold the 3.2 construct.
    this.walk(resolved.doc.root, resolved.doc, '');
  }
}
