/**
 * A bounded FIFO queue: O(1) `push` and `shift`, `take(n)` in O(n). Storage starts small
 * and doubles up to `capacity`, so an idle buffer with a large bound costs little memory.
 * The caller enforces the bound (it decides what to drop); `push` beyond it throws.
 */
export interface RingBuffer<T> {
  readonly length: number;
  readonly capacity: number;
  push(item: T): void;
  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined;
  /** Removes and returns up to `n` of the oldest items, oldest first. */
  take(n: number): T[];
}

const INITIAL_SLOTS = 1024;

/** @example const queue = createRingBuffer<UsageEvent>(100_000); queue.push(event); queue.take(1000); */
export function createRingBuffer<T>(capacity: number): RingBuffer<T> {
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new RangeError('capacity must be a positive integer');
  let slots: Array<T | undefined> = new Array(Math.min(capacity, INITIAL_SLOTS));
  let head = 0;
  let size = 0;

  const grow = () => {
    const next: Array<T | undefined> = new Array(Math.min(capacity, slots.length * 2));
    for (let i = 0; i < size; i++) next[i] = slots[(head + i) % slots.length];
    slots = next;
    head = 0;
  };

  return {
    get length() {
      return size;
    },
    capacity,
    push(item) {
      if (size === capacity) throw new RangeError('ring buffer is full');
      if (size === slots.length) grow();
      slots[(head + size) % slots.length] = item;
      size++;
    },
    shift() {
      if (size === 0) return undefined;
      const item = slots[head];
      slots[head] = undefined;
      head = (head + 1) % slots.length;
      size--;
      return item;
    },
    take(n) {
      const count = Math.max(0, Math.min(n, size));
      const out = new Array<T>(count);
      for (let i = 0; i < count; i++) {
        out[i] = slots[head] as T;
        slots[head] = undefined;
        head = (head + 1) % slots.length;
      }
      size -= count;
      return out;
    },
  };
}
