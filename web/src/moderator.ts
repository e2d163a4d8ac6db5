import {
  ApiError,
  AppApi,
  type AuditEntry,
  type AuditPage,
  type Ban,
  type Principal,
  type RoomConnection,
} from './api.js';
import { ChatConnection, type ConnectionStatus } from './chat-connection.js';
import { pageConfig } from './config.js';
import { byId, el, formatTime, setText, syncKeyed, timeElement } from './dom.js';
import { MessageLog, noticeKind } from './message-log.js';
import { PageChrome } from './page.js';

const moderatorRole = 'moderator';
const pollIntervalMs = 2_000;
const auditPageSize = 15;

/**
 * The moderator console: rooms and who is in them (polled), a room's live stream (through its own chat connection),
 * evictions and bans, announcements, and the audit log.
 */
class ModeratorConsole {
  private readonly api = new AppApi(pageConfig());
  private readonly chrome = new PageChrome(this.api, [moderatorRole]);
  private readonly consoleRoot = byId('console', HTMLElement);
  private readonly actionStatus = byId('action-status', HTMLElement);
  private readonly roomsList = byId('rooms', HTMLUListElement);
  private readonly roster = byId('roster', HTMLTableSectionElement);
  private readonly bansBody = byId('bans', HTMLTableSectionElement);
  private readonly auditBody = byId('audit', HTMLTableSectionElement);
  private readonly auditOlder = byId('audit-older', HTMLButtonElement);
  private readonly auditNewer = byId('audit-newer', HTMLButtonElement);
  private readonly announceForm = byId('announce-form', HTMLFormElement);
  private readonly announceMessage = byId('announce-message', HTMLTextAreaElement);
  private readonly announceRoomChoice = byId('announce-room-choice', HTMLInputElement);
  private readonly stream = new MessageLog(byId('stream', HTMLOListElement));
  private readonly connection: ChatConnection;
  private selectedRoom: string | undefined;
  private ownConnectionId: string | undefined;
  /** `before` cursors of the audit pages walked so far; the first page has none. */
  private readonly auditCursors: (string | undefined)[] = [undefined];
  private auditPage: AuditPage = { entries: [] };
  private refreshing = false;

  constructor() {
    this.connection = new ChatConnection({
      api: this.api,
      onChat: (line) => this.stream.chat(line, false),
      onNotice: (text) => this.stream.notice(text, noticeKind(text)),
      onReply: (reply) => {
        if (reply.type === 'error') this.report(`Live stream: ${reply.message}`);
      },
      onStatus: (status) => this.onStreamStatus(status),
    });
    this.announceForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.announce();
    });
    this.auditOlder.addEventListener('click', () => void this.turnAuditPage(+1));
    this.auditNewer.addEventListener('click', () => void this.turnAuditPage(-1));
  }

  async run(): Promise<void> {
    let principal: Principal | undefined;
    try {
      principal = await this.api.me();
    } catch {
      this.chrome.setStatus('The app is unreachable', 'bad');
      return;
    }
    if (!principal) {
      this.chrome.showSignIn();
      return;
    }
    this.chrome.showUser(principal);
    if (!principal.roles.includes(moderatorRole)) {
      this.showForbidden(`You are signed in as ${principal.userId}, who does not have the ${moderatorRole} role.`);
      return;
    }
    this.consoleRoot.hidden = false;
    this.renderAudit();
    await this.refresh();
    setInterval(() => void this.refresh(), pollIntervalMs);
    await this.connection.start();
  }

  private onStreamStatus(status: ConnectionStatus): void {
    this.chrome.showConnection(status);
    if (status.state === 'connected') {
      this.ownConnectionId = status.connectionId;
      if (this.selectedRoom && this.connection.room !== this.selectedRoom) void this.watch(this.selectedRoom);
    }
  }

  /** One polling round; a round still running makes the next one skip. */
  private async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const room = this.selectedRoom;
      const onFirstAuditPage = this.auditCursors.length === 1;
      const [rooms, connections, bans, audit] = await Promise.all([
        this.api.rooms(),
        room ? this.api.roomConnections(room) : Promise.resolve([]),
        this.api.bans(),
        onFirstAuditPage ? this.api.audit(auditPageSize) : Promise.resolve(undefined),
      ]);
      this.renderRooms(rooms);
      if (room === this.selectedRoom) this.renderRoster(connections);
      this.renderBans(bans);
      if (audit && this.auditCursors.length === 1) {
        this.auditPage = audit;
        this.renderAudit();
      }
    } catch (error) {
      this.handleFailure('Refresh', error);
    } finally {
      this.refreshing = false;
    }
  }

  private renderRooms(rooms: { room: string; connections: number }[]): void {
    byId('rooms-empty', HTMLElement).hidden = rooms.length > 0;
    syncKeyed(this.roomsList, rooms, {
      key: (item) => item.room,
      create: (item) => {
        const button = el('button', { className: 'room-button', attrs: { type: 'button' } });
        button.addEventListener('click', () => this.select(item.room));
        return el('li', {}, button);
      },
      update: (element, item) => {
        const button = element.querySelector('button');
        if (!button) return;
        const people = `${item.connections} ${item.connections === 1 ? 'connection' : 'connections'}`;
        if (button.dataset.label !== `${item.room}|${people}`) {
          button.dataset.label = `${item.room}|${people}`;
          button.replaceChildren(
            el('span', { className: 'room-button__name', text: item.room }),
            el('span', { className: 'room-button__count', text: people }),
          );
        }
        button.setAttribute('aria-pressed', String(item.room === this.selectedRoom));
      },
    });
  }

  private select(room: string): void {
    if (room === this.selectedRoom) return;
    this.selectedRoom = room;
    setText(byId('room-name', HTMLElement), room);
    setText(byId('announce-room-name', HTMLElement), room);
    this.announceRoomChoice.disabled = false;
    for (const button of this.roomsList.querySelectorAll('button')) {
      button.setAttribute('aria-pressed', String(button.closest('li')?.dataset.key === room));
    }
    this.roster.replaceChildren();
    this.stream.clear();
    this.stream.notice(`Watching room ${room}.`, 'info');
    void this.watch(room);
    void this.refresh();
  }

  private async watch(room: string): Promise<void> {
    try {
      await this.connection.join(room);
    } catch {
      // Not connected yet: the connection joins the selected room once it is.
    }
  }

  private renderRoster(connections: RoomConnection[]): void {
    byId('roster-empty', HTMLElement).hidden = connections.length > 0;
    setText(
      byId('roster-empty', HTMLElement),
      this.selectedRoom ? 'No one is in this room.' : 'Choose a room to see who is in it.',
    );
    syncKeyed(this.roster, connections, {
      key: (entry) => entry.connectionId,
      create: (entry) => this.rosterRow(entry),
      update: () => undefined,
    });
  }

  private rosterRow(entry: RoomConnection): HTMLTableRowElement {
    const own = entry.connectionId === this.ownConnectionId;
    const user = el('td', { className: 'cell-user', text: entry.userId });
    if (own) user.append(el('span', { className: 'tag', text: 'this console' }));
    const action = el('td', {});
    if (!own) action.append(this.evictForm(entry));
    return el(
      'tr',
      {},
      user,
      el('td', {}, el('code', { className: 'connection-id', text: entry.connectionId })),
      el('td', {}, timeElement(entry.joinedAt, formatTime)),
      action,
    );
  }

  private evictForm(entry: RoomConnection): HTMLFormElement {
    const reason = el('input', {
      className: 'input-reason',
      attrs: {
        name: 'reason',
        required: '',
        maxlength: '500',
        placeholder: 'Reason',
        'aria-label': `Reason for evicting ${entry.userId}`,
      },
    });
    const minutes = el('input', {
      className: 'input-minutes',
      attrs: {
        name: 'banMinutes',
        type: 'number',
        min: '1',
        max: '525600',
        inputmode: 'numeric',
        placeholder: 'Ban (min)',
        'aria-label': `Ban ${entry.userId} for how many minutes (empty: no ban)`,
      },
    });
    const submit = el('button', { className: 'button button--danger', text: 'Evict', attrs: { type: 'submit' } });
    submit.setAttribute('aria-label', `Evict ${entry.userId}`);
    const form = el('form', { className: 'evict-form' }, reason, minutes, submit);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.evict(entry, reason.value.trim(), minutes.valueAsNumber, submit);
    });
    return form;
  }

  private async evict(
    entry: RoomConnection,
    reason: string,
    banMinutes: number,
    submit: HTMLButtonElement,
  ): Promise<void> {
    const room = this.selectedRoom;
    if (!room) return;
    submit.disabled = true;
    try {
      const result = await this.api.evict({
        connectionId: entry.connectionId,
        permission: 'sendToGroup',
        room,
        reason,
        ...(Number.isFinite(banMinutes) ? { banMinutes } : {}),
      });
      const ban = result.bannedUntil ? `; banned until ${new Date(result.bannedUntil).toLocaleString()}` : '';
      this.report(
        `Evicted ${entry.userId} from ${room} (revoke ${result.revokeStatus}, close ${result.closeStatus})${ban}.`,
      );
      await this.refresh();
    } catch (error) {
      submit.disabled = false;
      this.handleFailure(`Evicting ${entry.userId}`, error);
    }
  }

  private renderBans(bans: Ban[]): void {
    byId('bans-empty', HTMLElement).hidden = bans.length > 0;
    syncKeyed(this.bansBody, bans, {
      key: (ban) => ban.userId,
      create: (ban) => {
        const unban = el('button', {
          className: 'button button--quiet',
          text: 'Unban',
          attrs: { type: 'button', 'aria-label': `Unban ${ban.userId}` },
        });
        unban.addEventListener('click', () => void this.unban(ban.userId, unban));
        const reason = el('td', { className: 'cell-reason' }, el('span'), el('span', { className: 'cell-sub' }));
        return el(
          'tr',
          {},
          el('td', { className: 'cell-user', text: ban.userId }),
          el('td'),
          reason,
          el('td', {}, unban),
        );
      },
      update: (row, ban) => {
        const [, until, reason] = Array.from(row.children) as HTMLElement[];
        if (until && until.firstElementChild?.getAttribute('datetime') !== ban.until) {
          until.replaceChildren(timeElement(ban.until));
        }
        const [text, actor] = Array.from(reason?.children ?? []) as HTMLElement[];
        if (text) setText(text, ban.reason);
        if (actor) setText(actor, `by ${ban.actor}`);
      },
    });
  }

  private async unban(userId: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await this.api.unban(userId);
      this.report(`Unbanned ${userId}.`);
    } catch (error) {
      this.handleFailure(`Unbanning ${userId}`, error);
    } finally {
      button.disabled = false;
      await this.refresh();
    }
  }

  private async turnAuditPage(step: 1 | -1): Promise<void> {
    if (step === 1 && !this.auditPage.next) return;
    if (step === -1 && this.auditCursors.length === 1) return;
    const cursors = this.auditCursors;
    const target = step === 1 ? [...cursors, this.auditPage.next] : cursors.slice(0, -1);
    try {
      const page = await this.api.audit(auditPageSize, target.at(-1));
      cursors.splice(0, cursors.length, ...target);
      this.auditPage = page;
      this.renderAudit();
    } catch (error) {
      this.handleFailure('Loading the audit log', error);
    }
  }

  private renderAudit(): void {
    const { entries, next } = this.auditPage;
    byId('audit-empty', HTMLElement).hidden = entries.length > 0;
    setText(byId('audit-page', HTMLElement), `Page ${this.auditCursors.length}`);
    this.auditOlder.disabled = !next;
    this.auditNewer.disabled = this.auditCursors.length === 1;
    syncKeyed(this.auditBody, entries, { key: (entry) => entry.id, create: auditRow, update: () => undefined });
  }

  private async announce(): Promise<void> {
    const message = this.announceMessage.value.trim();
    const toRoom = this.announceRoomChoice.checked ? this.selectedRoom : undefined;
    try {
      const result = await this.api.announce(message, toRoom);
      this.report(`Announced to ${toRoom ? `room ${toRoom}` : 'everyone'} (status ${result.broadcastStatus}).`);
      this.announceMessage.value = '';
      await this.refresh();
    } catch (error) {
      this.handleFailure('Announcing', error);
    }
  }

  private handleFailure(what: string, error: unknown): void {
    if (error instanceof ApiError && error.status === 401) {
      this.consoleRoot.hidden = true;
      this.chrome.showSignIn();
      return;
    }
    if (error instanceof ApiError && error.status === 403 && error.code === 'RoleRequired') {
      this.showForbidden(error.message);
      return;
    }
    this.report(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  private showForbidden(message: string): void {
    this.consoleRoot.hidden = true;
    byId('forbidden', HTMLElement).hidden = false;
    setText(byId('forbidden-text', HTMLElement), `${message} Sign out and sign in as a moderator.`);
  }

  private report(message: string): void {
    setText(this.actionStatus, message);
  }
}

function auditRow(entry: AuditEntry): HTMLTableRowElement {
  const outcome = el('td', {}, el('span', { className: `outcome outcome--${entry.outcome}`, text: entry.outcome }));
  if (entry.error) outcome.append(el('span', { className: 'audit-error', text: entry.error }));
  return el(
    'tr',
    {},
    el('td', {}, timeElement(entry.at)),
    el('td', { text: entry.actor }),
    el('td', { text: entry.action }),
    el('td', { className: 'cell-user', text: entry.target ?? '' }),
    el('td', { text: entry.room ?? '' }),
    el('td', { text: entry.rule ?? '' }),
    el('td', { className: 'cell-reason', text: entry.reason ?? '' }),
    outcome,
  );
}

void new ModeratorConsole().run();
