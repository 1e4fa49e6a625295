/** Rendered files by the key of everything that shaped them; least recently used go first. */
export class RenderCache {
  private readonly entries = new Map<string, { body: Buffer; etag: string }>();

  constructor(private readonly max = 20_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, make: () => { body: Buffer; etag: string }): { body: Buffer; etag: string } {
    let hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
    } else {
      hit = make();
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, hit);
    return hit;
  }
}
