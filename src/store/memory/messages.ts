import { nearestAround } from '../messages-around.js';
import { withReport } from '../queue-reports.js';
import type { MessageRecord, MessageStore, QueueItem, QueueReport } from '../types.js';

export class MemoryMessageStore implements MessageStore {
  private readonly messages = new Map<string, MessageRecord>();
  private readonly queue = new Map<string, QueueItem>();

  async recordMessage(message: MessageRecord): Promise<void> {
    this.messages.set(`${message.room}.${message.id}`, { ...message });
  }

  async listMessagesAround(
    room: string,
    at: Date,
    { spanMs, limit, now }: { spanMs: number; limit: number; now: Date },
  ): Promise<{ before: MessageRecord[]; after: MessageRecord[] }> {
    const near = [...this.messages.values()].filter(
      (line) => line.room === room && line.expiresAt > now && Math.abs(line.ts.getTime() - at.getTime()) <= spanMs,
    );
    return nearestAround(
      near.map((line) => ({ ...line })),
      at,
      limit,
    );
  }

  async getMessage(room: string, id: string, now: Date): Promise<MessageRecord | undefined> {
    const message = this.messages.get(`${room}.${id}`);
    return message && message.expiresAt > now ? { ...message } : undefined;
  }

  async deleteMessage(room: string, id: string): Promise<void> {
    this.messages.delete(`${room}.${id}`);
  }

  async enqueue(
    message: MessageRecord,
    addition: { rules?: string[]; report?: QueueReport },
    now: Date,
  ): Promise<QueueItem> {
    const id = `${message.room}.${message.id}`;
    const current = this.queue.get(id);
    const item: QueueItem = {
      id,
      room: message.room,
      messageId: message.id,
      from: message.from,
      connectionId: message.connectionId,
      text: message.text,
      ts: message.ts,
      rules: [...new Set([...(current?.rules ?? []), ...(addition.rules ?? [])])],
      ...withReport({ reports: current?.reports ?? [], reportCount: current?.reportCount ?? 0 }, addition.report),
      createdAt: current?.createdAt ?? now,
    };
    this.queue.set(id, item);
    return { ...item };
  }

  async getQueueItem(id: string): Promise<QueueItem | undefined> {
    const item = this.queue.get(id);
    return item && { ...item };
  }

  async listQueue({ room, limit }: { room?: string; limit: number }): Promise<QueueItem[]> {
    return [...this.queue.values()]
      .filter((item) => !room || item.room === room)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit)
      .map((item) => ({ ...item }));
  }

  async deleteQueueItem(id: string): Promise<void> {
    this.queue.delete(id);
  }
}
