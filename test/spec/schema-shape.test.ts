import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpecDocument } from '../../server/src/core/spec/document';
import { SpecContext, type Resolved } from '../../server/src/core/engine/spec-context';
import { RefResolver } from '../../server/src/core/spec/refs';
import { schemaShape } from '../../server/src/core/engine/spec-helpers';
import { NO_FILES_HOST } from '../support/workspace';

const host = NO_FILES_HOST;

// One schema object at two places: `Error`, and through a YAML alias inline under a response.
const text = `openapi: 3.1.0
info: { title: t, version: '1' }
components:
  schemas:
    Error: &error
      type: object
      required: [code]
      allOf:
        - $ref: '#/components/schemas/Base'
      properties:
        code: { type: string }
    Base:
      properties:
        message: { type: string }
paths:
  /a:
    get:
      responses:
        '400':
          description: bad
          content:
            application/json:
              schema: *error
`;

test('schemaShape reads a schema once per analysis, and an aliased object once per place', () => {
  const doc = parseSpecDocument('file:///api.yaml', text, 'yaml');
  const context = new SpecContext(doc, new RefResolver(host));
  const root = doc.root as any;
  const component: Resolved = { value: root.components.schemas.Error, doc, at: ['components', 'schemas', 'Error'], viaRef: false };
  const inlineAt = ['paths', '/a', 'get', 'responses', '400', 'content', 'application/json', 'schema'];
  const inline: Resolved = { value: root.paths['/a'].get.responses['400'].content['application/json'].schema, doc, at: inlineAt, viaRef: false };
  assert.equal(inline.value, component.value, 'the alias is the very same object');

  const first = schemaShape(context, component);
  assert.deepEqual([...first.properties.keys()].sort(), ['code', 'message']);
  assert.deepEqual([...first.required], ['code']);
  assert.deepEqual(first.names, ['Error', 'Base']);
  assert.deepEqual(first.properties.get('code')!.at, ['components', 'schemas', 'Error', 'properties', 'code']);
  // The same schema at the same place: the very shape of the first reading.
  assert.equal(schemaShape(context, { ...component }), first);

  // The same object at another place: its own shape, with property paths under that place.
  const aliased = schemaShape(context, inline);
  assert.notEqual(aliased, first);
  assert.deepEqual(aliased.properties.get('code')!.at, [...inlineAt, 'properties', 'code']);
  assert.deepEqual(aliased.names, ['Base']);

  // Another analysis reads afresh.
  assert.notEqual(schemaShape(new SpecContext(doc, new RefResolver(host)), component), first);
});
