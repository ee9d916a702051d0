/** A value that announces its changes; the Ink hooks subscribe to it. */
export class Observable<T> {
	private readonly listeners = new Set<(state: T) => void>();

	constructor(private current: T) {}

	get state(): T {
		return this.current;
	}

	subscribe(listener: (state: T) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	protected set(next: T): void {
		this.current = next;
		for (const listener of this.listeners) {
			listener(next);
		}
	}
}
