// A small typed event emitter: event names and payloads come from one map type, so a listener cannot subscribe
// to a misspelt event or read a field an event does not carry.

export type Listener<T> = (payload: T) => void;

export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.listeners.get(type)?.delete(listener as Listener<never>);
  }

  once<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(type, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Resolves with the next `type` event (optionally the next one `filter` accepts); rejects after `timeoutMs`. */
  waitFor<K extends keyof Events>(type: K, timeoutMs: number, filter?: (payload: Events[K]) => boolean): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no '${String(type)}' event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(type, (payload) => {
        if (filter !== undefined && !filter(payload)) return;
        clearTimeout(timer);
        off();
        resolve(payload);
      });
    });
  }

  protected emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) (listener as Listener<Events[K]>)(payload);
  }

  listenerCount(type: keyof Events): number {
    return this.listeners.get(type)?.size ?? 0;
  }
}
