import { WebPubSubClient } from '@azure/web-pubsub-client';
import type { AppReply, ChatLine, DeletedNotice, QueueChangedNotice, RoomBanNotice } from '../../src/contracts.js';
import { ApiError, type AppApi } from './api.js';

export type { AppReply, ChatLine, DeletedNotice, RoomBanNotice };

export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'connected'; userId: string; connectionId: string }
  | { state: 'reconnecting'; attempt: number }
  /** The service closed the connection on purpose (an eviction) and said why. */
  | { state: 'removed'; reason: string }
  | { state: 'banned'; message: string }
  | { state: 'signed-out' };

export interface ChatConnectionOptions {
  api: AppApi;
  /** Each chat line once, however often the service delivers it. */
  onChat(line: ChatLine): void;
  /**
   * Plain-text broadcasts: presence notices and moderator announcements. Whether they come as group or server
   * messages depends on how the service relays a REST send to a group, so both are read the same way.
   */
  onNotice(text: string): void;
  onReply(reply: AppReply): void;
  onStatus(status: ConnectionStatus): void;
  onDeleted(notice: DeletedNotice): void;
  onRoomBan(notice: RoomBanNotice): void;
  /** The moderator console: its connection is in the moderators' group and hears of queue changes. */
  console?: { onQueueChanged(notice: QueueChangedNotice): void };
}

const replyTypes = new Set(['joined', 'accepted', 'refused', 'reported', 'error']);
const maxRememberedIds = 2_000;
const maxReconnectDelayMs = 15_000;

interface PendingReply {
  resolve(reply: AppReply): void;
  reject(error: Error): void;
}

/**
 * One user's connection to the chat through the official client. Network drops are recovered by the client's reliable
 * protocol; when a connection is lost for good this class reconnects itself (the client's own reconnect loop cannot be
 * stopped once its socket is gone, and an evicted or banned user must not keep knocking).
 */
export class ChatConnection {
  private readonly client: WebPubSubClient;
  private readonly seenIds = new Set<string>();
  private readonly pending: PendingReply[] = [];
  /** The URL from the last `joined` reply: its token carries the room, so reconnecting with it rejoins the room. */
  private joinedUrl: string | undefined;
  private currentRoom: string | undefined;
  /** The live connection came from a fresh negotiate, so the room must be joined again by event. */
  private mustRejoin = false;
  private closeReason: string | undefined;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: ChatConnectionOptions) {
    this.client = new WebPubSubClient({ getClientAccessUrl: () => this.accessUrl() }, { autoReconnect: false });
    this.client.on('connected', (event) => this.onConnected(event.userId, event.connectionId));
    this.client.on('disconnected', (event) => {
      this.closeReason = event.message?.message;
    });
    this.client.on('stopped', () => this.onStopped());
    // What the app sends to a room (chat lines, deletions, the room's notices) arrives as a group message; replies,
    // bans, announcements to everyone and a shadow-banned author's own line arrive as server messages.
    this.client.on('group-message', (event) => this.receiveFromRoom(event.message.data));
    this.client.on('server-message', (event) => this.receive(event.message.data));
  }

  get room(): string | undefined {
    return this.currentRoom;
  }

  /** Connects (or, after a removal, tries again); the outcome arrives through `onStatus`. */
  async start(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    this.attempt = 0;
    this.options.onStatus({ state: 'connecting' });
    await this.connect();
  }

  join(room: string): Promise<AppReply> {
    return this.send('join', { room });
  }

  chat(room: string, text: string): Promise<AppReply> {
    return this.send('chat', { room, text });
  }

  /** Asks moderators to review a message of the current room. */
  report(messageId: string, reason: string): Promise<AppReply> {
    return this.send('report', { messageId, reason });
  }

  private async send(event: string, data: Record<string, unknown>): Promise<AppReply> {
    let entry: PendingReply | undefined;
    const reply = new Promise<AppReply>((resolve, reject) => {
      entry = { resolve, reject };
      this.pending.push(entry);
    });
    // The connection may close while the event is still being sent; the caller hears of it by awaiting below.
    reply.catch(() => undefined);
    try {
      await this.client.sendEvent(event, data, 'json');
    } catch (error) {
      this.pending.splice(this.pending.indexOf(entry as PendingReply), 1);
      throw error;
    }
    return reply;
  }

  private async accessUrl(): Promise<string> {
    // A room's URL carries the room only: a console coming back with it would miss the moderators' group, so a
    // console negotiates again (with the group) and rejoins its room by event.
    if (this.joinedUrl && this.options.console === undefined) {
      this.mustRejoin = false;
      return this.joinedUrl;
    }
    const { url } = await this.options.api.negotiate(this.options.console !== undefined);
    this.mustRejoin = this.currentRoom !== undefined;
    return url;
  }

  private async connect(): Promise<void> {
    try {
      await this.client.start();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'Banned') {
        this.options.onStatus({ state: 'banned', message: error.message });
      } else if (error instanceof ApiError && error.status === 401) {
        this.options.onStatus({ state: 'signed-out' });
      } else {
        // The joined URL's token may have expired: the next attempt negotiates a fresh one.
        this.joinedUrl = undefined;
        this.scheduleReconnect();
      }
    }
  }

  private scheduleReconnect(): void {
    this.attempt++;
    this.options.onStatus({ state: 'reconnecting', attempt: this.attempt });
    const delay = Math.min(500 * 2 ** (this.attempt - 1), maxReconnectDelayMs);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private onConnected(userId: string, connectionId: string): void {
    this.attempt = 0;
    this.closeReason = undefined;
    this.options.onStatus({ state: 'connected', userId, connectionId });
    const room = this.currentRoom;
    if (this.mustRejoin && room) {
      this.mustRejoin = false;
      this.join(room).catch(() => undefined);
    }
  }

  private onStopped(): void {
    const closed = new Error('The connection closed before the app replied.');
    for (const entry of this.pending.splice(0)) entry.reject(closed);
    const reason = this.closeReason;
    this.closeReason = undefined;
    if (reason === undefined) {
      this.scheduleReconnect();
      return;
    }
    // Closed on purpose: the room token is void, and whether to come back is the user's call (and the app's).
    this.joinedUrl = undefined;
    this.options.onStatus({ state: 'removed', reason });
    void this.checkBan();
  }

  /** Asks negotiate, which answers 403 Banned while a ban lasts, so the page can say until when. */
  private async checkBan(): Promise<void> {
    try {
      await this.options.api.negotiate();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'Banned') {
        this.options.onStatus({ state: 'banned', message: error.message });
      }
    }
  }

  private receiveFromRoom(data: unknown): void {
    if (typeof data === 'string') this.options.onNotice(data);
    else if (isChatLine(data)) this.showChat(data);
    else if (isDeletedNotice(data)) this.options.onDeleted(data);
    else if (isQueueChangedNotice(data)) this.options.console?.onQueueChanged(data);
  }

  private receive(data: unknown): void {
    if (typeof data === 'string') {
      this.options.onNotice(data);
    } else if (isChatLine(data)) {
      this.showChat(data);
    } else if (isRoomBanNotice(data)) {
      if (data.room === this.currentRoom) {
        // The service removed this connection from the room; a reconnect with the room's URL must not put it back.
        this.joinedUrl = undefined;
        this.currentRoom = undefined;
      }
      this.options.onRoomBan(data);
    } else if (isReply(data)) {
      if (data.type === 'joined') {
        this.joinedUrl = data.url;
        this.currentRoom = data.room;
      }
      this.options.onReply(data);
      this.pending.shift()?.resolve(data);
    }
  }

  private showChat(line: ChatLine): void {
    if (this.seenIds.has(line.id)) return;
    this.remember(line.id);
    this.options.onChat(line);
  }

  private remember(id: string): void {
    this.seenIds.add(id);
    if (this.seenIds.size > maxRememberedIds) {
      const oldest = this.seenIds.values().next().value;
      if (oldest !== undefined) this.seenIds.delete(oldest);
    }
  }
}

function isChatLine(data: unknown): data is ChatLine {
  const line = data as Partial<ChatLine> | null;
  return (
    typeof line === 'object' &&
    line !== null &&
    line.type === 'chat' &&
    typeof line.id === 'string' &&
    typeof line.from === 'string' &&
    typeof line.text === 'string'
  );
}

function isDeletedNotice(data: unknown): data is DeletedNotice {
  const notice = data as Partial<DeletedNotice> | null;
  return notice?.type === 'deleted' && typeof notice.id === 'string' && typeof notice.room === 'string';
}

function isQueueChangedNotice(data: unknown): data is QueueChangedNotice {
  const notice = data as Partial<QueueChangedNotice> | null;
  return notice?.type === 'queue-changed' && typeof notice.id === 'string' && typeof notice.room === 'string';
}

function isRoomBanNotice(data: unknown): data is RoomBanNotice {
  const notice = data as Partial<RoomBanNotice> | null;
  return (
    notice?.type === 'banned' &&
    typeof notice.room === 'string' &&
    typeof notice.until === 'string' &&
    typeof notice.reason === 'string'
  );
}

function isReply(data: unknown): data is AppReply {
  const type = (data as { type?: unknown } | null)?.type;
  return typeof type === 'string' && replyTypes.has(type);
}
