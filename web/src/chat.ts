import { AppApi } from './api.js';
import {
  type AppReply,
  ChatConnection,
  type ChatLine,
  type ConnectionStatus,
  type RoomBanNotice,
} from './chat-connection.js';
import { pageConfig } from './config.js';
import { byId, formatDateTime, readableInstants } from './dom.js';
import { MessageLog, noticeKind } from './message-log.js';
import { PageChrome } from './page.js';
import { describeRule } from './refusals.js';

const defaultRoom = 'lobby';

/** Why the banner is up: it goes when that cause does (a connection back, a line accepted, another room joined). */
type BannerCause = 'connection' | 'mute' | 'room-ban';

interface ReportTarget {
  line: ChatLine;
  trigger: HTMLButtonElement;
}

/** The chat page: sign in, join a room, talk, and see clearly when moderation steps in. */
class ChatPage {
  private readonly api = new AppApi(pageConfig());
  private readonly chrome = new PageChrome(this.api);
  private readonly section = byId('chat', HTMLElement);
  private readonly roomForm = byId('room-form', HTMLFormElement);
  private readonly roomInput = byId('room-input', HTMLInputElement);
  private readonly roomName = byId('room-name', HTMLElement);
  private readonly banner = byId('banner', HTMLElement);
  private readonly bannerText = byId('banner-text', HTMLElement);
  private readonly bannerAction = byId('banner-action', HTMLButtonElement);
  private readonly sendForm = byId('send-form', HTMLFormElement);
  private readonly messageInput = byId('message-input', HTMLInputElement);
  private readonly sendButton = byId('send-button', HTMLButtonElement);
  private readonly joinButton = byId('join-button', HTMLButtonElement);
  private readonly feedback = byId('feedback', HTMLElement);
  private readonly confirmation = byId('confirmation', HTMLElement);
  private readonly reportDialog = byId('report-dialog', HTMLDialogElement);
  private readonly reportForm = byId('report-form', HTMLFormElement);
  private readonly reportQuote = byId('report-quote', HTMLElement);
  private readonly reportReason = byId('report-reason', HTMLTextAreaElement);
  private readonly log = new MessageLog(byId('messages', HTMLOListElement), {
    onReport: (line, trigger) => this.openReport({ line, trigger }),
  });
  private readonly connection: ChatConnection;
  private userId = '';
  private bannerCause: BannerCause | undefined;
  private reportTarget: ReportTarget | undefined;
  private status: ConnectionStatus = { state: 'connecting' };

  constructor() {
    this.connection = new ChatConnection({
      api: this.api,
      onChat: (line) => this.log.chat(line, line.from === this.userId),
      onNotice: (text) => this.log.notice(text, noticeKind(text)),
      onReply: (reply) => this.onReply(reply),
      onStatus: (status) => this.onStatus(status),
      onDeleted: (notice) => {
        this.log.markDeleted(notice.id);
        if (this.reportTarget?.line.id === notice.id) this.reportDialog.close();
      },
      onRoomBan: (notice) => this.onRoomBan(notice),
    });
    this.reportForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.sendReport();
    });
    byId('report-cancel', HTMLButtonElement).addEventListener('click', () => this.reportDialog.close());
    this.reportDialog.addEventListener('close', () => {
      this.reportTarget?.trigger.focus();
      this.reportTarget = undefined;
    });
    this.roomForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.join(this.roomInput.value.trim());
    });
    this.sendForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.bannerAction.addEventListener('click', () => {
      this.hideBanner();
      void this.connection.start();
    });
    // The client recovers a dropped socket silently; the browser knows when the network went away.
    window.addEventListener('offline', () => this.chrome.setStatus('Offline: waiting for the network…', 'busy'));
    window.addEventListener('online', () => this.chrome.showConnection(this.status));
  }

  async run(): Promise<void> {
    let principal: Awaited<ReturnType<AppApi['me']>>;
    try {
      principal = await this.api.me();
    } catch {
      this.chrome.setStatus('The chat service is unreachable', 'bad');
      return;
    }
    if (!principal) {
      this.chrome.showSignIn();
      return;
    }
    this.userId = principal.userId;
    this.chrome.showUser(principal);
    this.section.hidden = false;
    this.roomInput.value = new URLSearchParams(window.location.search).get('room') ?? defaultRoom;
    this.setConnected(false);
    await this.connection.start();
  }

  private onStatus(status: ConnectionStatus): void {
    this.status = status;
    this.chrome.showConnection(status);
    this.setConnected(status.state === 'connected');
    switch (status.state) {
      case 'connected':
        if (this.bannerCause === 'connection') this.hideBanner();
        // A reconnect with the joined URL lands back in the room by itself.
        if (!this.connection.room) void this.join(this.roomInput.value.trim() || defaultRoom);
        this.messageInput.focus();
        break;
      case 'removed':
        this.showBanner(
          'connection',
          `You were removed from the chat: ${readableInstants(status.reason)}`,
          'Try to rejoin',
        );
        break;
      case 'banned':
        this.showBanner('connection', readableInstants(status.message), 'Check again');
        break;
      case 'signed-out':
        this.section.hidden = true;
        this.chrome.showSignIn();
        break;
      default:
        break;
    }
  }

  private onReply(reply: AppReply): void {
    switch (reply.type) {
      case 'joined':
        if (this.roomName.textContent !== reply.room) this.log.notice(`You are in room ${reply.room}.`, 'info');
        this.roomName.textContent = reply.room;
        this.roomInput.value = reply.room;
        if (this.bannerCause === 'room-ban') this.hideBanner();
        break;
      case 'accepted':
        this.setFeedback('');
        if (this.bannerCause === 'mute') this.hideBanner();
        break;
      case 'refused': {
        const message = readableInstants(reply.message);
        const label = describeRule(reply.rule);
        if (reply.rule === 'banned') {
          this.setFeedback(`${reply.room ? `Not joined ${reply.room}` : 'Not sent'}: ${label}.`);
          this.showBanner('room-ban', message);
          break;
        }
        // The count is the user's total, not what this refusal cost: a links refusal costs none.
        const strikes = reply.strikes ? ` (strikes so far: ${reply.strikes})` : '';
        const consequence = reply.action === 'evict' ? ' You are being removed from the chat.' : '';
        this.setFeedback(`Not sent: ${label}. ${message}${strikes}${consequence}`);
        if (reply.action === 'mute' || reply.rule === 'muted') this.showBanner('mute', `You are muted: ${message}`);
        break;
      }
      case 'reported': {
        const button = this.log.markReported(reply.messageId);
        if (button && document.activeElement === button) this.messageInput.focus();
        this.setConfirmation('Thank you: the moderators will review that message.');
        break;
      }
      case 'error':
        this.setFeedback(reply.messageId ? `Not reported: ${reply.message}` : `Error: ${reply.message}`);
        break;
    }
  }

  private onRoomBan(notice: RoomBanNotice): void {
    const until = formatDateTime(notice.until);
    this.showBanner('room-ban', `You are banned from ${notice.room} until ${until}: ${notice.reason}`);
    if (this.roomName.textContent !== notice.room) return;
    this.roomName.textContent = '(none)';
    this.log.notice(`You were removed from room ${notice.room}; you can join another room.`, 'info');
  }

  private openReport(target: ReportTarget): void {
    this.reportTarget = target;
    this.reportQuote.textContent = `${target.line.from}: ${target.line.text}`;
    this.reportReason.value = '';
    this.reportDialog.showModal();
    this.reportReason.focus();
  }

  private async sendReport(): Promise<void> {
    const target = this.reportTarget;
    const reason = this.reportReason.value.trim();
    if (!target || !reason) return;
    this.reportDialog.close();
    try {
      await this.connection.report(target.line.id, reason);
    } catch {
      this.setFeedback('Not reported: the connection dropped. Try again when it is back.');
    }
  }

  private async join(room: string): Promise<void> {
    try {
      await this.connection.join(room);
    } catch {
      this.setFeedback(`Could not join ${room}: the connection dropped. Try again.`);
    }
  }

  private async send(): Promise<void> {
    const text = this.messageInput.value;
    const room = this.connection.room;
    if (!room) {
      this.setFeedback('Join a room first.');
      return;
    }
    try {
      const reply = await this.connection.chat(room, text);
      // Keep a refused message in the box so it can be edited; clear it once it went out.
      if (reply.type === 'accepted' && this.messageInput.value === text) this.messageInput.value = '';
    } catch {
      this.setFeedback('Not sent: the connection dropped. Try again when it is back.');
    }
  }

  /** Sending needs a connection; typing only stops once the user is out of the chat for good. */
  private setConnected(connected: boolean): void {
    this.sendButton.disabled = !connected;
    this.joinButton.disabled = !connected;
    const shutOut = this.status.state === 'removed' || this.status.state === 'banned';
    this.messageInput.disabled = shutOut;
    this.roomInput.disabled = shutOut;
  }

  /** A refusal or failure; it replaces any confirmation. */
  private setFeedback(text: string): void {
    this.feedback.textContent = text;
    if (text) this.confirmation.textContent = '';
  }

  /** A quiet note that something went well; it replaces any refusal. */
  private setConfirmation(text: string): void {
    this.confirmation.textContent = text;
    this.feedback.textContent = '';
  }

  private showBanner(cause: BannerCause, text: string, action?: string): void {
    this.bannerCause = cause;
    this.bannerText.textContent = text;
    this.bannerAction.hidden = action === undefined;
    if (action) this.bannerAction.textContent = action;
    this.banner.hidden = false;
  }

  private hideBanner(): void {
    this.bannerCause = undefined;
    this.banner.hidden = true;
  }
}

void new ChatPage().run();
