/**
 * What the resolver derives from the store, the templates and the settings (devices, file
 * matches, ready answers), kept while none of them has changed, so that a phone's periodic
 * resync costs a few Map lookups. Every value is held under a stamp of those inputs; a request
 * that brings a new stamp (any write to the store, a template reload, a new year for the time-zone
 * rules) starts it afresh. Bounded: when full, it starts afresh too.
 */
export class Derived {
  private stamp: readonly unknown[] = [];
  private readonly values = new Map<string, unknown>();

  constructor(private readonly max = 50_000) {}

  /** Called with the current stamp at the start of every request. */
  refresh(...stamp: unknown[]): void {
    if (stamp.length === this.stamp.length && stamp.every((part, i) => part === this.stamp[i])) return;
    this.values.clear();
    this.stamp = stamp;
  }

  get<T>(key: string, make: () => T): T {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = make();
    if (this.values.size >= this.max) this.values.clear();
    this.values.set(key, value);
    return value;
  }

  /**
   * For values read asynchronously: one held is returned as it is (no promise, no turn of the
   * event loop); one derived under an older stamp is not kept.
   */
  getAsync<T>(key: string, make: () => Promise<T>): T | Promise<T> {
    if (this.values.has(key)) return this.values.get(key) as T;
    const stamp = this.stamp;
    return make().then((value) => {
      if (stamp === this.stamp) this.get(key, () => value);
      return value;
    });
  }
}
