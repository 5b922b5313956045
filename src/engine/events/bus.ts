/**
 * The event bus: every state change publishes one event after it has been
 * committed. Subscribers get an async iterable; the last events are kept so
 * that `since` can replay them, as dockerd does.
 */
export type EventType =
  | "container"
  | "image"
  | "network"
  | "volume"
  | "daemon"
  | "builder"
  | "plugin"
  | "service"
  | "node"
  | "secret"
  | "config";

export interface EngineEvent {
  type: EventType;
  action: string;
  actorId: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

export interface EventFilter {
  (event: EngineEvent): boolean;
}

const keep = 1024;

export class EventBus {
  private readonly recent: EngineEvent[] = [];
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private lastNano = 0n;

  publish(event: Omit<EngineEvent, "timeNano">): EngineEvent {
    // Strictly increasing times keep since/until replay stable within one millisecond.
    let now = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    if (now <= this.lastNano) now = this.lastNano + 1n;
    this.lastNano = now;
    const full: EngineEvent = { ...event, timeNano: now };
    this.recent.push(full);
    if (this.recent.length > keep) this.recent.shift();
    for (const l of this.listeners) l(full);
    return full;
  }

  /** Past events (time >= sinceNano) then live ones, until untilNano or the signal aborts. */
  async *subscribe(opts: {
    sinceNano?: bigint;
    untilNano?: bigint;
    filter?: EventFilter;
    signal?: AbortSignal;
  }): AsyncGenerator<EngineEvent> {
    const { sinceNano, untilNano, filter, signal } = opts;
    const queue: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: EngineEvent) => {
      queue.push(e);
      wake?.();
    };
    const accept = (e: EngineEvent) => filter === undefined || filter(e);
    const now = BigInt(Date.now()) * 1_000_000n;
    if (sinceNano !== undefined) {
      for (const e of this.recent) {
        if (e.timeNano >= sinceNano && (untilNano === undefined || e.timeNano <= untilNano) && accept(e))
          yield e;
      }
    }
    if (untilNano !== undefined && untilNano <= now) return;
    this.listeners.add(listener);
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    let timer: NodeJS.Timeout | undefined;
    if (untilNano !== undefined) {
      timer = setTimeout(() => wake?.(), Number((untilNano - now) / 1_000_000n) + 1);
    }
    try {
      for (;;) {
        while (queue.length > 0) {
          const e = queue.shift()!;
          if (untilNano !== undefined && e.timeNano > untilNano) return;
          if (accept(e)) yield e;
        }
        if (signal?.aborted) return;
        if (untilNano !== undefined && BigInt(Date.now()) * 1_000_000n >= untilNano) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
      signal?.removeEventListener("abort", onAbort);
      if (timer) clearTimeout(timer);
    }
  }
}
