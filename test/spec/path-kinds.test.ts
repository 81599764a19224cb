import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCollectionPath, isItemPath, pathSegments } from '../../server/src/core/engine/spec-helpers';

test('collection and item paths are told by their last segment, empty segments and trailing slashes aside', () => {
  const cases: [string, 'collection' | 'item' | 'neither'][] = [
    ['/users', 'collection'], ['/users/', 'collection'], ['/users//', 'collection'], ['users', 'collection'],
    ['/users/{id}', 'item'], ['/users/{id}/', 'item'], ['/{id}', 'item'], ['/a//{id}//', 'item'],
    ['/a/{b}/c', 'collection'], ['/a/x{id}', 'collection'], ['/a/{b}{c}', 'collection'], ['/a/{}', 'collection'],
    ['', 'neither'], ['/', 'neither'], ['//', 'neither'],
  ];
  for (const [path, kind] of cases) {
    assert.equal(isCollectionPath(path), kind === 'collection', `${path} is a collection path`);
    assert.equal(isItemPath(path), kind === 'item', `${path} is an item path`);
    // The same answer as the path's segments give.
    const last = pathSegments(path).at(-1);
    assert.equal(last ? (last.isParameter ? 'item' : 'collection') : 'neither', kind, path);
  }
});
