/**
 * Runs tasks with the same key one after another (in call order) and tasks with different keys
 * concurrently. ingest() keys by thread: two messages of one thread never race, so they keep their
 * order and the first message of a new thread opens exactly one conversation (within a process;
 * across processes the database's uniqueness rules decide).
 */
export class SerialByKey {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous ? previous.then(task, task) : task();
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    // The last task of a key removes its entry, so idle keys cost no memory.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
