/**
 * One timer for all hosts: a binary min-heap of due tasks, woken by a single setTimeout for the
 * earliest. Ten thousand hosts cost one timer rather than tens of thousands.
 */
export interface ScheduledTask {
  due: number;
  run: () => void;
  cancelled: boolean;
}

export class Scheduler {
  private readonly heap: ScheduledTask[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private stopped = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Runs `run` after `delayMs` (at least 0); returns a handle that `cancel` accepts. */
  schedule(delayMs: number, run: () => void): ScheduledTask {
    const task: ScheduledTask = { due: this.now() + Math.max(0, delayMs), run, cancelled: false };
    if (this.stopped) {
      task.cancelled = true;
      return task;
    }
    this.push(task);
    if (task.due < this.timerDue) this.arm();
    return task;
  }

  cancel(task: ScheduledTask | null | undefined): void {
    if (task) task.cancelled = true;
  }

  get size(): number {
    return this.heap.length;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.heap.length = 0;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
    if (this.stopped || this.heap.length === 0) return;
    const due = this.heap[0].due;
    this.timerDue = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - this.now()));
  }

  private fire(): void {
    this.timer = null;
    this.timerDue = Infinity;
    const now = this.now();
    // Bound the work per wake-up so a burst cannot starve the I/O of the tasks it starts.
    for (let count = 0; this.heap.length > 0 && this.heap[0].due <= now && count < 2000; count++) {
      const task = this.pop()!;
      if (task.cancelled) continue;
      try {
        task.run();
      } catch (error) {
        process.emitWarning(`host simulator task failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    if (this.heap.length > 0 && this.heap[0].due <= now) {
      this.timerDue = now;
      this.timer = setTimeout(() => this.fire(), 0);
    } else {
      this.arm();
    }
  }

  private push(task: ScheduledTask): void {
    const heap = this.heap;
    heap.push(task);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].due <= task.due) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = task;
  }

  private pop(): ScheduledTask | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right].due < heap[left].due ? right : left;
        if (heap[child].due >= last.due) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
