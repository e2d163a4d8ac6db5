import type { Duplex } from 'node:stream';

/**
 * Coalesces the frames written to one socket within an event-loop turn into a single write: concurrent
 * broadcasts then cost one syscall per socket instead of one per frame. Order is kept, since corking
 * buffers every write on the socket.
 */
export class WriteCoalescer {
  private readonly corked = new Set<Duplex>();
  private scheduled = false;

  hold(stream: Duplex): void {
    if (this.corked.has(stream)) return;
    stream.cork();
    this.corked.add(stream);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    for (const stream of this.corked) stream.uncork();
    this.corked.clear();
  };
}
