/**
 * What the resolver derives from the store, the templates and the settings (devices, file
 * matches, ready answers), kept while none of them has changed, so that a phone's periodic
 * resync costs a few Map lookups. Every value is held under a stamp of those inputs; a request
 * that brings a new stamp (any write to the store, a template reload, a new year for the time-zone
 * rules) starts it afresh. Bounded: when full, it starts afresh too.
 *
 * Values are kept in named tables, each keyed by what identifies a value within its kind (a MAC,
 * a request target, a Match object), so that a lookup builds no key string.
 */
export class Derived {
  private stamp: readonly unknown[] = [];
  private readonly tables = new Map<string, Map<unknown, unknown>>();
  private size = 0;

  constructor(private readonly max = 50_000) {}

  /** Called with the current stamp at the start of every request. */
  refresh(...stamp: unknown[]): void {
    if (stamp.length === this.stamp.length) {
      let same = true;
      for (let i = 0; i < stamp.length && same; i++) same = stamp[i] === this.stamp[i];
      if (same) return;
    }
    this.clear();
    this.stamp = stamp;
  }

  private clear(): void {
    for (const table of this.tables.values()) table.clear();
    this.size = 0;
  }

  private table(name: string): Map<unknown, unknown> {
    let table = this.tables.get(name);
    if (table === undefined) {
      table = new Map();
      this.tables.set(name, table);
    }
    return table;
  }

  get<T>(table: string, key: unknown, make: () => T): T {
    const values = this.table(table);
    const held = values.get(key);
    if (held !== undefined || values.has(key)) return held as T;
    const value = make();
    if (this.size >= this.max) this.clear();
    values.set(key, value);
    this.size++;
    return value;
  }

  /**
   * For values read asynchronously: one held is returned as it is (no promise, no turn of the
   * event loop); one derived under an older stamp is not kept.
   */
  getAsync<T>(table: string, key: unknown, make: () => Promise<T>): T | Promise<T> {
    const values = this.table(table);
    const held = values.get(key);
    if (held !== undefined || values.has(key)) return held as T;
    const stamp = this.stamp;
    return make().then((value) => {
      if (stamp === this.stamp) this.get(table, key, () => value);
      return value;
    });
  }
}
