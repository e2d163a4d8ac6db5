import type { AppApi, Principal } from './api.js';
import type { ConnectionStatus } from './chat-connection.js';
import { byId } from './dom.js';

export type Tone = 'idle' | 'ok' | 'busy' | 'bad';

/** The header both pages share: who is signed in, the sign-out link, and a status line. */
export class PageChrome {
  private readonly status = byId('connection-status', HTMLElement);
  private readonly userBox = byId('user-box', HTMLElement);
  private readonly signInSection = byId('sign-in', HTMLElement);
  private readonly signInForm = byId('sign-in-form', HTMLFormElement);
  private readonly nameField = byId('sign-in-name-field', HTMLElement);
  private readonly nameInput = byId('sign-in-name', HTMLInputElement);

  /** `roles` are what the local `dev` sign-in asks for; a real provider takes roles from the directory. */
  constructor(
    private readonly api: AppApi,
    roles: string[] = [],
  ) {
    if (!api.usesDevLogin) {
      this.nameField.hidden = true;
      this.nameInput.required = false;
    }
    this.signInForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const returnTo = `${window.location.pathname}${window.location.search}`;
      const devUser = api.usesDevLogin ? { userId: this.nameInput.value.trim(), roles } : undefined;
      window.location.assign(api.loginUrl(returnTo, devUser));
    });
  }

  showSignIn(): void {
    this.userBox.hidden = true;
    this.signInSection.hidden = false;
    this.setStatus('Signed out', 'idle');
    (this.api.usesDevLogin ? this.nameInput : this.signInForm.querySelector('button'))?.focus();
  }

  showUser(principal: Principal): void {
    this.signInSection.hidden = true;
    this.userBox.hidden = false;
    byId('user-name', HTMLElement).textContent = principal.userId;
    byId('sign-out', HTMLAnchorElement).href = this.api.logoutUrl(window.location.pathname);
  }

  setStatus(text: string, tone: Tone): void {
    this.status.textContent = text;
    this.status.dataset.tone = tone;
  }

  showConnection(status: ConnectionStatus): void {
    const [text, tone] = describeConnection(status);
    this.setStatus(text, tone);
  }
}

export function describeConnection(status: ConnectionStatus): [string, Tone] {
  switch (status.state) {
    case 'connecting':
      return ['Connecting…', 'busy'];
    case 'connected':
      return ['Connected', 'ok'];
    case 'reconnecting':
      return [status.attempt > 1 ? `Reconnecting… (attempt ${status.attempt})` : 'Reconnecting…', 'busy'];
    case 'removed':
      return ['Removed from the chat', 'bad'];
    case 'banned':
      return ['Banned', 'bad'];
    case 'signed-out':
      return ['Signed out', 'idle'];
  }
}
