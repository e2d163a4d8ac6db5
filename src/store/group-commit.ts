interface PendingWrite<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes to one partition that arrive while a commit to it is in flight wait and go together in the
 * next commit (up to `maxBatch`), so a busy room costs one Table transaction per round trip instead of one request per
 * line. A lone write goes at once (no timer). Every caller's promise settles with the outcome of the commit that held
 * its item. Only writes in flight are held: nothing outlives them, so instances stay stateless between calls.
 */
export class GroupCommit<T> {
  private readonly queues = new Map<string, PendingWrite<T>[]>();

  constructor(
    private readonly commit: (partition: string, items: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  write(partition: string, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queued = this.queues.get(partition);
      if (queued) {
        queued.push({ item, resolve, reject });
        return;
      }
      const queue = [{ item, resolve, reject }];
      this.queues.set(partition, queue);
      void this.drain(partition, queue);
    });
  }

  private async drain(partition: string, queue: PendingWrite<T>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        await this.commit(
          partition,
          batch.map((write) => write.item),
        );
        for (const write of batch) write.resolve();
      } catch (error) {
        for (const write of batch) write.reject(error);
      }
    }
    this.queues.delete(partition);
  }
}
