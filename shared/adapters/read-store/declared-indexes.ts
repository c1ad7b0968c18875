/**
 * The indexes declared in this process, per collection (the union of every declaration), and the
 * build each declaration started, for both read store adapters: `build` is the adapter's own
 * (LMDB index keys, MongoDB createIndex).
 *
 * Invariants: operations on a collection wait for its pending build (queued in call order behind
 * it); without one they run at once. Builds of one collection run one after another, and a build
 * that failed (or a drop it waited for) does not stop the next one.
 */
export class DeclaredIndexes {
  private readonly fields = new Map<string, Set<string>>();
  private readonly builds = new Map<string, Promise<void>>();

  constructor(private readonly build: (name: string, fields: readonly string[]) => Promise<void>) {}

  declare(name: string, indexes: readonly string[] | undefined): void {
    const known = this.fields.get(name) ?? new Set<string>();
    const added = (indexes ?? []).filter((field) => !known.has(field));
    if (added.length === 0) return;
    for (const field of added) known.add(field);
    this.fields.set(name, known);
    this.rebuild(name);
  }

  has(name: string): boolean {
    return this.fields.has(name);
  }

  of(name: string): ReadonlySet<string> {
    return this.fields.get(name) ?? new Set();
  }

  /** After `before` (e.g. a drop) has settled, (re)builds the collection's declared indexes. */
  rebuild(name: string, before: Promise<unknown> = Promise.resolve()): void {
    const fields = this.fields.get(name);
    if (!fields) return;
    const previous = this.builds.get(name) ?? Promise.resolve();
    const building: Promise<void> = Promise.all([previous.catch(() => undefined), before.catch(() => undefined)])
      .then(() => this.build(name, [...fields]))
      .finally(() => {
        if (this.builds.get(name) === building) this.builds.delete(name);
      });
    building.catch(() => undefined); // its failure reaches whoever waits on it through after()
    this.builds.set(name, building);
  }

  /** Resolves once no build is pending, whatever their outcome (a store closes after this). */
  async settle(): Promise<void> {
    while (this.builds.size > 0) await Promise.all([...this.builds.values()].map((build) => build.catch(() => undefined)));
  }

  /** Runs `operation` once the collection's indexes are built (at once if no build is pending). */
  after<R>(name: string, operation: () => Promise<R>): Promise<R> {
    const building = this.builds.get(name);
    return building ? building.then(operation) : operation();
  }
}
