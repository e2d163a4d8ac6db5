import { roomOf } from '../../src/scope.js';
import type { AppApi } from './api.js';

/** What the console's panels share: the API, the status line, one way to handle failures, and a refresh. */
export interface ConsoleContext {
  api: AppApi;
  /** Says what just happened in the console's status line. */
  report(message: string): void;
  /** Handles a failed call: signs out on 401, says what failed otherwise. */
  fail(what: string, error: unknown): void;
  /** Polls again now, after a change. */
  refresh(): Promise<void>;
}

/** `app`, `global` or `room:<room>` in words. */
export function describeScope(scope: string): string {
  if (scope === 'app') return 'Whole app';
  if (scope === 'global') return 'Every room';
  const room = roomOf(scope);
  return room === undefined ? scope : `Room ${room}`;
}

/** A number input's value, or undefined when it is empty. */
export function optionalNumber(input: HTMLInputElement): number | undefined {
  return Number.isFinite(input.valueAsNumber) ? input.valueAsNumber : undefined;
}
