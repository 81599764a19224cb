import { visit } from 'jsonc-parser';
import type { OffsetRange } from '../text';
import type { JsonPath } from '../types';

/**
 * Source ranges of a JSON document's nodes, for a document whose values came from `JSON.parse`.
 * jsonc-parser's `visit` reports every token's offset; this keeps only offsets and links in typed
 * arrays (and the property names), instead of the node objects `parseTree` allocates, which on a
 * multi-megabyte description cost most of the parse. `locate` and `has` answer exactly as the
 * `parseTree`-based document does: the node's range, its key's range, or the nearest ancestor.
 */
export class JsonPositions {
  private start: Int32Array;
  private end: Int32Array;
  private keyStart: Int32Array;
  private keyEnd: Int32Array;
  private firstChild: Int32Array;
  private nextSibling: Int32Array;
  private keys: (string | undefined)[] = [];
  /** Key -> child for objects with many properties (`paths`, `components.schemas`), built on first search. */
  private childMaps = new Map<number, Map<string, number>>();
  private count = 0;

  /** The positions of `text`; without one, an empty index that `afterEdit` fills. */
  constructor(text?: string) {
    const capacity = text === undefined ? 0 : 1024;
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.keyStart = new Int32Array(capacity);
    this.keyEnd = new Int32Array(capacity);
    this.firstChild = new Int32Array(capacity).fill(-1);
    this.nextSibling = new Int32Array(capacity).fill(-1);
    const open: number[] = [];
    const lastChild: number[] = [];
    let pendingKey: { name: string; start: number; end: number } | undefined;
    const add = (start: number, end: number): number => {
      const node = this.allocate();
      this.start[node] = start;
      this.end[node] = end;
      if (pendingKey) {
        this.keys[node] = pendingKey.name;
        this.keyStart[node] = pendingKey.start;
        this.keyEnd[node] = pendingKey.end;
        pendingKey = undefined;
      } else {
        this.keyStart[node] = -1;
      }
      const depth = open.length;
      if (depth > 0) {
        const previous = lastChild[depth - 1];
        if (previous < 0) this.firstChild[open[depth - 1]] = node;
        else this.nextSibling[previous] = node;
        lastChild[depth - 1] = node;
      }
      return node;
    };
    const close = (offset: number, length: number) => {
      const node = open.pop();
      lastChild.pop();
      if (node !== undefined) this.end[node] = offset + length;
    };
    if (text === undefined) return;
    visit(text, {
      onObjectBegin: (offset) => { open.push(add(offset, offset)); lastChild.push(-1); },
      onArrayBegin: (offset) => { open.push(add(offset, offset)); lastChild.push(-1); },
      onObjectEnd: close,
      onArrayEnd: close,
      onObjectProperty: (name, offset, length) => { pendingKey = { name, start: offset, end: offset + length }; },
      onLiteralValue: (_value, offset, length) => { add(offset, offset + length); },
    }, { allowTrailingComma: false, disallowComments: false });
  }

  /**
   * The positions of `after` (these positions, moved), an edit of `before` (the text these positions are of) that turned
   * `before[prefix, oldEnd)` into `after[prefix, newEnd)`; undefined unless the edit lies inside one
   * string value and brings or removes no quote, backslash or control character (nor follows a
   * backslash). Then every token keeps its place and only offsets after the edit move: typing in a
   * description of a 1 MB description needs no new index.
   */
  afterEdit(before: string, after: string, prefix: number, oldEnd: number, newEnd: number): JsonPositions | undefined {
    return this.stringEdit(before, after, prefix, oldEnd, newEnd)?.positions();
  }

  /**
   * The edit `afterEdit` takes: the string value holding it, with its path and its range in
   * `after`, and the positions of `after` on request. Undefined for any other edit, and when an
   * object on the way holds the key twice (`JSON.parse` keeps the last of them, so the edited one
   * may not be the value the document has).
   */
  stringEdit(before: string, after: string, prefix: number, oldEnd: number, newEnd: number): { path: JsonPath; start: number; end: number; positions: () => JsonPositions } | undefined {
    if (this.count === 0 || (prefix > 0 && before.charCodeAt(prefix - 1) === 92)) return undefined;
    for (const [text, end] of [[before, oldEnd], [after, newEnd]] as const) {
      for (let i = prefix; i < end; i++) {
        const code = text.charCodeAt(i);
        if (code === 34 || code === 92 || code < 32) return undefined;
      }
    }
    // Down from the root to the string literal holding the edit between its quotes (strings hold
    // no other node).
    const path: JsonPath = [];
    let node = 0;
    while (before.charCodeAt(this.start[node]) !== 34) {
      let child = this.firstChild[node];
      let index = 0;
      while (child >= 0 && !(this.start[child] < prefix && oldEnd < this.end[child])) {
        child = this.nextSibling[child];
        index++;
      }
      if (child < 0) return undefined;
      const key = this.keys[child];
      if (this.keyStart[child] >= 0 && key !== undefined) {
        for (let other = this.firstChild[node]; other >= 0; other = this.nextSibling[other]) {
          if (other !== child && this.keys[other] === key) return undefined;
        }
        path.push(key);
      } else {
        path.push(index);
      }
      node = child;
    }
    if (!(this.start[node] < prefix && oldEnd < this.end[node])) return undefined;
    const delta = newEnd - oldEnd;
    return { path, start: this.start[node], end: this.end[node] + delta, positions: () => this.moved(oldEnd, delta) };
  }

  /**
   * These positions, every offset from `oldEnd` on moved by `delta`, in place: the arrays of a
   * 1 MB description are megabytes, and fresh ones cost more to allocate than to shift. The
   * caller owns these positions (the previous version has let them go).
   */
  private moved(oldEnd: number, delta: number): JsonPositions {
    for (const array of [this.start, this.end, this.keyStart, this.keyEnd]) {
      for (let i = 0; i < this.count; i++) if (array[i] >= oldEnd) array[i] += delta;
    }
    return this;
  }

  locate(path: JsonPath, part: 'key' | 'value' = 'value'): OffsetRange {
    const found = this.find(path);
    if (found.exact && part === 'key' && found.node > 0 && this.keyStart[found.node] >= 0) return { start: this.keyStart[found.node], end: this.keyEnd[found.node] };
    return found.nearest;
  }

  has(path: JsonPath): boolean {
    return this.find(path).exact;
  }

  private find(path: JsonPath): { node: number; exact: boolean; nearest: OffsetRange } {
    if (this.count === 0) return { node: -1, exact: path.length === 0, nearest: { start: 0, end: 0 } };
    let node = 0;
    let nearest = this.rangeOf(0);
    for (const segment of path) {
      let next = -1;
      const first = this.firstChild[node];
      if (first >= 0 && this.keyStart[first] >= 0) {
        // An object: children carry their property names.
        next = this.childByKey(node, first, String(segment));
      } else if (first >= 0) {
        const index = Number(segment);
        if (Number.isInteger(index) && index >= 0) {
          let child = first;
          for (let i = 0; i < index && child >= 0; i++) child = this.nextSibling[child];
          next = child;
        }
      }
      if (next < 0) return { node, exact: false, nearest };
      node = next;
      nearest = this.rangeOf(node);
    }
    return { node, exact: true, nearest };
  }

  private childByKey(node: number, first: number, key: string): number {
    const map = this.childMaps.get(node);
    if (map) return map.get(key) ?? -1;
    let visited = 0;
    let found = -1;
    for (let child = first; child >= 0; child = this.nextSibling[child], visited++) {
      if (this.keys[child] === key) { found = child; break; }
    }
    if (visited > 32) {
      // The first of duplicate keys wins, as in the tree parser's search.
      const built = new Map<string, number>();
      for (let child = first; child >= 0; child = this.nextSibling[child]) if (!built.has(this.keys[child]!)) built.set(this.keys[child]!, child);
      this.childMaps.set(node, built);
    }
    return found;
  }

  private rangeOf(node: number): OffsetRange {
    return { start: this.start[node], end: this.end[node] };
  }

  private allocate(): number {
    if (this.count === this.start.length) {
      const grow = (array: Int32Array, fill?: number) => {
        const bigger = new Int32Array(array.length * 2);
        if (fill !== undefined) bigger.fill(fill, array.length);
        bigger.set(array);
        return bigger;
      };
      this.start = grow(this.start);
      this.end = grow(this.end);
      this.keyStart = grow(this.keyStart);
      this.keyEnd = grow(this.keyEnd);
      this.firstChild = grow(this.firstChild, -1);
      this.nextSibling = grow(this.nextSibling, -1);
    }
    return this.count++;
  }
}
