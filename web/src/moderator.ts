import { ApiError, AppApi, type AuditEntry, type AuditPage, type Principal, type RoomConnection } from './api.js';
import { ChatConnection, type ConnectionStatus } from './chat-connection.js';
import { pageConfig } from './config.js';
import { type ConsoleContext, optionalNumber } from './console-context.js';
import { byId, el, formatTime, setText, syncKeyed, timeElement, userButton } from './dom.js';
import { InsightsPanel } from './insights-panel.js';
import { lineItem } from './line-view.js';
import { MessageLog, noticeKind } from './message-log.js';
import { PageChrome } from './page.js';
import { PersonPanel } from './person-panel.js';
import { ReviewQueue } from './review-queue.js';
import { RoomSettingsForm } from './room-settings.js';
import { RulesPanel } from './rules-panel.js';
import { SanctionsPanel } from './sanctions-panel.js';
import { Tabs } from './tabs.js';

const moderatorRole = 'moderator';
const pollIntervalMs = 2_000;
const auditPageSize = 15;

/**
 * The moderator console: rooms and who is in them (polled), a room's live stream (through its own chat connection),
 * its limits, evictions and announcements; the review queue, the rules, mutes/bans/shadow bans and the audit log, each
 * on its own tab and polled while in view (the queue always, for its count).
 */
class ModeratorConsole implements ConsoleContext {
  readonly api = new AppApi(pageConfig());
  private readonly chrome = new PageChrome(this.api, [moderatorRole]);
  private readonly consoleRoot = byId('console', HTMLElement);
  private readonly actionStatus = byId('action-status', HTMLElement);
  private readonly roomsList = byId('rooms', HTMLUListElement);
  private readonly roster = byId('roster', HTMLTableSectionElement);
  private readonly auditBody = byId('audit', HTMLTableSectionElement);
  private readonly auditOlder = byId('audit-older', HTMLButtonElement);
  private readonly auditNewer = byId('audit-newer', HTMLButtonElement);
  private readonly announceForm = byId('announce-form', HTMLFormElement);
  private readonly announceMessage = byId('announce-message', HTMLTextAreaElement);
  private readonly announceRoomChoice = byId('announce-room-choice', HTMLInputElement);
  private readonly stream = new MessageLog(byId('stream', HTMLOListElement));
  private readonly settings = new RoomSettingsForm(this);
  private readonly queue = new ReviewQueue(this);
  private readonly rules = new RulesPanel(this, (rules) => this.queue.setRules(rules));
  private readonly sanctions = new SanctionsPanel(this);
  private readonly insights = new InsightsPanel(this.api, (what, error) => this.fail(what, error));
  private readonly tabs = new Tabs(byId('console-tabs', HTMLElement), () => void this.refresh());
  private readonly connection: ChatConnection;
  private selectedRoom: string | undefined;
  private ownConnectionId: string | undefined;
  /** `before` cursors of the audit pages walked so far; the first page has none. */
  private readonly auditCursors: (string | undefined)[] = [undefined];
  private auditPage: AuditPage = { entries: [] };
  private round: Promise<void> | undefined;
  private nextRound: Promise<void> | undefined;

  constructor() {
    // The person's page listens for clicks on any user id; nothing else needs to reach it.
    new PersonPanel(this);
    this.connection = new ChatConnection({
      api: this.api,
      onChat: (line) => this.stream.chat(line, false),
      onNotice: (text) => this.stream.notice(text, noticeKind(text)),
      onReply: (reply) => {
        if (reply.type === 'error') this.report(`Live stream: ${reply.message}`);
      },
      onStatus: (status) => this.onStreamStatus(status),
      onDeleted: (notice) => this.stream.markDeleted(notice.id),
      // The console watches rooms without chatting in them: a room ban of its own user changes nothing here.
      onRoomBan: () => undefined,
      // Pushed through Web PubSub as the queue changes; the poll stays as the fallback.
      console: { onQueueChanged: () => void this.refresh() },
    });
    byId('open-room-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      const input = byId('open-room-input', HTMLInputElement);
      this.select(input.value.trim());
      input.value = '';
    });
    byId('search-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      void this.search();
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
    // A round still running makes the timer's turn skip; changes made in the console ask for one more (`refresh`).
    setInterval(() => {
      if (!this.round) void this.refresh();
    }, pollIntervalMs);
    await this.connection.start();
  }

  private onStreamStatus(status: ConnectionStatus): void {
    this.chrome.showConnection(status);
    if (status.state === 'connected') {
      this.ownConnectionId = status.connectionId;
      if (this.selectedRoom && this.connection.room !== this.selectedRoom) void this.watch(this.selectedRoom);
    }
  }

  /** Polls now; while a round runs, one more follows it, so what was just changed is read back. */
  refresh(): Promise<void> {
    if (!this.round) {
      this.round = this.poll().finally(() => {
        this.round = undefined;
      });
      return this.round;
    }
    this.nextRound ??= this.round.then(() => {
      this.nextRound = undefined;
      return this.refresh();
    });
    return this.nextRound;
  }

  private async poll(): Promise<void> {
    const tab = this.tabs.selected;
    try {
      await Promise.all([
        this.refreshRooms(),
        this.queue.refresh(),
        tab === 'panel-rules' || tab === 'panel-queue' ? this.rules.refresh() : undefined,
        tab === 'panel-sanctions' ? this.sanctions.refresh() : undefined,
        tab === 'panel-audit' && this.auditCursors.length === 1 ? this.refreshAudit() : undefined,
        tab === 'panel-insights' ? this.insights.refresh() : undefined,
      ]);
    } catch (error) {
      this.fail('Refresh', error);
    }
  }

  private async refreshRooms(): Promise<void> {
    const room = this.selectedRoom;
    const [rooms, connections] = await Promise.all([
      this.api.rooms(),
      room ? this.api.roomConnections(room) : Promise.resolve([]),
    ]);
    this.renderRooms(rooms);
    this.insights.setRooms(rooms.map((summary) => summary.room));
    if (room === this.selectedRoom) this.renderRoster(connections);
  }

  private async refreshAudit(): Promise<void> {
    const audit = await this.api.audit(auditPageSize);
    if (this.auditCursors.length > 1) return;
    this.auditPage = audit;
    this.renderAudit();
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

  /**
   * Recent lines by text, author and room, newest first: in the chosen room, or in every room (by one author: their
   * latest lines, refused ones too; by nobody in particular: the busiest rooms').
   */
  private async search(): Promise<void> {
    const status = byId('search-status', HTMLElement);
    const everywhere = byId('search-where', HTMLSelectElement).value === 'all';
    const room = everywhere ? undefined : this.selectedRoom;
    if (!everywhere && !room) {
      status.textContent = 'Choose a room, or search all rooms.';
      return;
    }
    const q = byId('search-text', HTMLInputElement).value.trim();
    const user = byId('search-user', HTMLInputElement).value.trim();
    const minutes = optionalNumber(byId('search-minutes', HTMLInputElement));
    try {
      const { lines, rooms } = await this.api.searchMessages({
        ...(q ? { q } : {}),
        ...(user ? { user } : {}),
        ...(room ? { room } : {}),
        ...(minutes !== undefined ? { minutes } : {}),
      });
      const where = room ?? `${rooms.length} ${rooms.length === 1 ? 'room' : 'rooms'}`;
      status.textContent = `${lines.length} ${lines.length === 1 ? 'line' : 'lines'} in ${where}.`;
      byId('search-results', HTMLOListElement).replaceChildren(...lines.map(lineItem));
    } catch (error) {
      this.fail('Searching', error);
    }
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
    void this.settings.load(room);
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
    const user = el('td', {}, userButton(entry.userId));
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
        max: '5256000',
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
      this.fail(`Evicting ${entry.userId}`, error);
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
      this.fail('Loading the audit log', error);
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
      this.fail('Announcing', error);
    }
  }

  fail(what: string, error: unknown): void {
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

  report(message: string): void {
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
    el('td', {}, entry.actor === 'policy' ? entry.actor : userButton(entry.actor)),
    el('td', { text: entry.action }),
    el('td', {}, entry.target ? userButton(entry.target) : ''),
    el('td', { text: entry.room ?? '' }),
    el('td', { text: entry.rule ?? '' }),
    el('td', { className: 'cell-reason', text: entry.reason ?? '' }),
    outcome,
  );
}

void new ModeratorConsole().run();
