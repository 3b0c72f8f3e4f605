/** A coarse clock so relative times ("5m") stay current without every component running a timer. */
export class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;

  start(intervalMs = 30_000): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => (this.now = Date.now()), intervalMs);
  }

  tick(): void {
    this.now = Date.now();
  }
}
