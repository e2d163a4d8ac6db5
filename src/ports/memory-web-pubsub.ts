import type { OperationOptions } from '@azure/core-client';
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import type { ClientTokenResponse, GenerateClientTokenOptions } from '@azure/web-pubsub';
import type { WebPubSubGroupOperations, WebPubSubOperations } from './web-pubsub.js';

/** Where a message went: the hub, a group, a user or one connection. */
export type Audience = { to: 'all' } | { to: 'group'; group: string } | { to: 'user' | 'connection'; id: string };

export interface SentMessage {
  audience: Audience;
  message: unknown;
  contentType?: string;
}

interface MemoryConnection {
  userId: string | undefined;
  groups: Set<string>;
  revoked: Set<string>;
  closedWith?: string;
}

type SendOptions = OperationOptions & { contentType?: string; filter?: string };
type Operation = 'token' | 'revoke' | 'close' | 'exists' | 'send' | 'addConnection' | 'removeConnection' | 'removeUser';

/**
 * Web PubSub in one process's memory, for in-process tests of the app. It keeps connections, groups and what was
 * sent, answers each call with the status the service answers it with (through `onResponse`, as workflows read it;
 * Azure/azure-rest-api-specs' data-plane document lists them), and fails a call on request (`failNext`) with the
 * `RestError` the SDK would raise. Integration tests use the emulator and the real SDK instead.
 */
export class MemoryWebPubSub implements WebPubSubOperations {
  readonly sent: SentMessage[] = [];
  readonly connections = new Map<string, MemoryConnection>();
  private readonly failures = new Map<Operation, number>();

  constructor(
    private readonly endpoint = 'https://memory.webpubsub.invalid',
    private readonly hub = 'chat',
  ) {}

  /** A client connected with this id (and user, if any), as the service would record it. */
  connect(connectionId: string, userId?: string): void {
    this.connections.set(connectionId, { userId, groups: new Set(), revoked: new Set() });
  }

  /** The next call of that operation fails with this status. */
  failNext(operation: Operation, status: number): void {
    this.failures.set(operation, status);
  }

  /** What was sent to one audience, in order. */
  sentTo(audience: Audience): unknown[] {
    const key = JSON.stringify(audience);
    return this.sent.filter((sent) => JSON.stringify(sent.audience) === key).map((sent) => sent.message);
  }

  async getClientAccessToken(options: GenerateClientTokenOptions = {}): Promise<ClientTokenResponse> {
    this.answer('token', 200, options);
    const claims = {
      sub: options.userId,
      role: options.roles ?? [],
      'webpubsub.group': options.groups ?? [],
      exp: Math.floor(Date.now() / 1000) + (options.expirationTimeInMinutes ?? 60) * 60,
    };
    const token = `memory.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.unsigned`;
    const baseUrl = `${this.endpoint.replace(/^http/, 'ws')}/client/hubs/${this.hub}`;
    return { token, baseUrl, url: `${baseUrl}?access_token=${token}` };
  }

  async revokePermission(
    connectionId: string,
    permission: string,
    options: OperationOptions & { targetName?: string } = {},
  ) {
    this.answer('revoke', 204, options);
    this.connections
      .get(connectionId)
      ?.revoked.add(`${permission}${options.targetName ? `.${options.targetName}` : ''}`);
  }

  async closeConnection(connectionId: string, options: OperationOptions & { reason?: string } = {}) {
    this.answer('close', 204, options);
    this.close(connectionId, options.reason ?? '');
  }

  async closeUserConnections(userId: string, options: OperationOptions & { reason?: string } = {}) {
    this.answer('close', 204, options);
    for (const [id, connection] of this.connections)
      if (connection.userId === userId) this.close(id, options.reason ?? '');
  }

  async connectionExists(connectionId: string, options: OperationOptions = {}): Promise<boolean> {
    const exists = this.connections.has(connectionId);
    this.answer('exists', exists ? 200 : 404, options);
    return exists;
  }

  async sendToAll(message: unknown, options: SendOptions = {}) {
    this.record({ to: 'all' }, message, options);
  }

  async sendToUser(userId: string, message: unknown, options: SendOptions = {}) {
    this.record({ to: 'user', id: userId }, message, options);
  }

  async sendToConnection(connectionId: string, message: unknown, options: SendOptions = {}) {
    this.record({ to: 'connection', id: connectionId }, message, options);
  }

  group(groupName: string): WebPubSubGroupOperations {
    return {
      addConnection: async (connectionId: string, options: OperationOptions = {}) => {
        const connection = this.connections.get(connectionId);
        if (!connection) throw this.restError(404, `Connection id '${connectionId}' doesn't exist.`);
        this.answer('addConnection', 200, options);
        connection.groups.add(groupName);
      },
      removeConnection: async (connectionId: string, options: OperationOptions = {}) => {
        this.answer('removeConnection', 204, options);
        this.connections.get(connectionId)?.groups.delete(groupName);
      },
      removeUser: async (userId: string, options: OperationOptions = {}) => {
        this.answer('removeUser', 204, options);
        for (const connection of this.connections.values())
          if (connection.userId === userId) connection.groups.delete(groupName);
      },
      sendToAll: async (message: unknown, options: SendOptions = {}) => {
        this.record({ to: 'group', group: groupName }, message, options);
      },
    };
  }

  private close(connectionId: string, reason: string) {
    const connection = this.connections.get(connectionId);
    if (!connection) return;
    connection.closedWith = reason;
    this.connections.delete(connectionId);
  }

  private record(audience: Audience, message: unknown, options: SendOptions) {
    this.answer('send', 202, options);
    this.sent.push({ audience, message, ...(options.contentType ? { contentType: options.contentType } : {}) });
  }

  /** Fails the call if one was asked for; otherwise reports the status the service would answer. */
  private answer(operation: Operation, status: number, options: OperationOptions) {
    const failure = this.failures.get(operation);
    if (failure !== undefined) {
      this.failures.delete(operation);
      throw this.restError(failure, `The service answered ${failure}.`);
    }
    const request = createPipelineRequest({ url: `${this.endpoint}/api/hubs/${this.hub}` });
    options.onResponse?.({ status, headers: createHttpHeaders(), request }, undefined);
  }

  private restError(statusCode: number, message: string): RestError {
    return new RestError(message, { statusCode, code: statusCode === 404 ? 'NotFound' : 'ServiceError' });
  }
}
