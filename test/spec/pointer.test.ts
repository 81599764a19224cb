import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePointer, encodePointer } from '../../server/src/core/spec/refs';

test('JSON pointers escape ~ and / (RFC 6901) and decode back to the same path', () => {
  const cases: [Array<string | number>, string][] = [
    [[], ''],
    [['paths', '/users/{id}', 'get'], '/paths/~1users~1{id}/get'],
    [['components', 'schemas', 'a~b', 'c/d~/e'], '/components/schemas/a~0b/c~1d~0~1e'],
    [['items', 0, ''], '/items/0/'],
  ];
  for (const [path, pointer] of cases) {
    assert.equal(encodePointer(path), pointer);
    assert.deepEqual(decodePointer(pointer), path.map(String));
  }
});
