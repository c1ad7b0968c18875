/**
 * The agent view's hosts, compactly: each host is a small HostRecord (its stream, its decider
 * state, its row) and its numbers live in one shared Float64Array, a row of ROW_SIZE per host,
 * instead of as boxed numbers on each record.
 *
 * Invariants: a row belongs to one host for the life of the table (rows are never reused);
 * times are ms since the epoch, 0 = never.
 */
import type { HostState } from '../../shared/domain/hosts/host-decider';

const SEEN_AT = 0;
const DETAILS_AT = 1;
const LABELS_AT = 2;
const POLICIES_AT = 3;
const ASKED_DETAILS_AT = 4;
const ASKED_LABELS_AT = 5;
const ASKED_POLICIES_AT = 6;
const REVISION = 7;
const PRESENCE_WRITTEN_SEEN_AT = 8;
const ROW_SIZE = 9;

export class HostTable {
  /** Replaced by a larger copy as hosts are added: always read through the table. */
  values = new Float64Array(ROW_SIZE * 1024);
  private rows = 0;

  /** Makes room for `count` rows in all, so that adding up to that many copies nothing. */
  reserve(count: number): void {
    if (count * ROW_SIZE <= this.values.length) return;
    const grown = new Float64Array(count * ROW_SIZE);
    grown.set(this.values);
    this.values = grown;
  }

  /** A new row: revision -1 (nothing applied), times 0. */
  addRow(): number {
    if ((this.rows + 1) * ROW_SIZE > this.values.length) this.reserve(Math.max(this.rows * 2, 1024));
    const row = this.rows++;
    this.values[row * ROW_SIZE + REVISION] = -1;
    return row;
  }
}

export class HostRecord {
  constructor(
    private readonly table: HostTable,
    /** The host's row: also its number in the view's row-indexed list and indexes (host-row-index.ts). */
    readonly row: number,
    readonly streamId: string,
    public state: HostState,
  ) {}

  private get(column: number): number {
    return this.table.values[this.row * ROW_SIZE + column];
  }

  private set(column: number, value: number): void {
    this.table.values[this.row * ROW_SIZE + column] = value;
  }

  /** Revision of the last event of the host's stream applied here (-1: none). */
  get revision(): number {
    return this.get(REVISION);
  }
  set revision(value: number) {
    this.set(REVISION, value);
  }

  /** Check-in bookkeeping (ms since the epoch, 0 = never); not events, see presence.ts. */
  get seenAt(): number {
    return this.get(SEEN_AT);
  }
  set seenAt(value: number) {
    this.set(SEEN_AT, value);
  }
  get detailsAt(): number {
    return this.get(DETAILS_AT);
  }
  set detailsAt(value: number) {
    this.set(DETAILS_AT, value);
  }
  get labelsAt(): number {
    return this.get(LABELS_AT);
  }
  set labelsAt(value: number) {
    this.set(LABELS_AT, value);
  }
  get policiesAt(): number {
    return this.get(POLICIES_AT);
  }
  set policiesAt(value: number) {
    this.set(POLICIES_AT, value);
  }

  /**
   * The seen time this instance last wrote to the presence collection (presence.ts); not in
   * snapshots: 0 after a start, so a host's first sighting after a start is written.
   */
  get presenceWrittenSeenAt(): number {
    return this.get(PRESENCE_WRITTEN_SEEN_AT);
  }
  set presenceWrittenSeenAt(value: number) {
    this.set(PRESENCE_WRITTEN_SEEN_AT, value);
  }

  /** When each kind of query was last handed out, so it is not handed out again at once. */
  get askedDetailsAt(): number {
    return this.get(ASKED_DETAILS_AT);
  }
  set askedDetailsAt(value: number) {
    this.set(ASKED_DETAILS_AT, value);
  }
  get askedLabelsAt(): number {
    return this.get(ASKED_LABELS_AT);
  }
  set askedLabelsAt(value: number) {
    this.set(ASKED_LABELS_AT, value);
  }
  get askedPoliciesAt(): number {
    return this.get(ASKED_POLICIES_AT);
  }
  set askedPoliciesAt(value: number) {
    this.set(ASKED_POLICIES_AT, value);
  }
}
