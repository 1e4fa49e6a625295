/**
 * A table's keys in order (UTF-16 code units, the order `<` compares strings in), kept as rows
 * come and go: a page starts where a binary search puts it instead of sorting every key per call.
 */
export class SortedKeys {
  private keys: string[] = [];

  constructor(keys: Iterable<string> = []) {
    this.keys = [...keys].sort();
  }

  get size(): number {
    return this.keys.length;
  }

  /** The index of the first key not less than `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(key: string): void {
    // Keys that grow with time (audit ids) go on the end without a search.
    const last = this.keys.at(-1);
    if (last === undefined || last < key) {
      this.keys.push(key);
      return;
    }
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  delete(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /** The keys after `after` (below it when `descending`), in that order. Not to be kept while keys change. */
  *from(after: string | undefined, descending = false): Generator<string> {
    const keys = this.keys;
    if (descending) {
      for (let i = after === undefined ? keys.length - 1 : this.lowerBound(after) - 1; i >= 0; i--) yield keys[i] as string;
      return;
    }
    let i = 0;
    if (after !== undefined) {
      i = this.lowerBound(after);
      if (keys[i] === after) i++;
    }
    for (; i < keys.length; i++) yield keys[i] as string;
  }
}
