export type DataType = 'json' | 'text' | 'binary';

export type MessageSource = { from: 'server' } | { from: 'group'; group: string; fromUserId?: string | undefined };

/**
 * One message on its way to many connections. Each wire form is serialized at most once, however many
 * connections receive it; only reliable clients get a per-connection prefix (their sequenceId).
 */
export class OutboundMessage {
  private pubSubBody?: string;
  private pubSubFrameBytes?: Buffer;

  /** `payload` holds the raw bytes: JSON text for json, UTF-8 for text, the bytes themselves for binary. */
  constructor(
    readonly source: MessageSource,
    readonly dataType: DataType,
    readonly payload: Buffer,
  ) {}

  /** What a simple WebSocket client receives: the payload alone. */
  get isBinaryForSimpleClient(): boolean {
    return this.dataType === 'binary';
  }

  /** The frame for `json.webpubsub.azure.v1` clients. */
  pubSubFrame(): Buffer {
    this.pubSubFrameBytes ??= Buffer.from(this.body());
    return this.pubSubFrameBytes;
  }

  /** The frame for `json.reliable.webpubsub.azure.v1` clients: the same body with the sequenceId first. */
  reliableFrame(sequenceId: number): Buffer {
    return Buffer.from(`{"sequenceId":${sequenceId},${this.body().slice(1)}`);
  }

  private body(): string {
    if (this.pubSubBody !== undefined) return this.pubSubBody;
    const source = this.source;
    let head = '{"type":"message","from":';
    if (source.from === 'group') {
      head += `"group","group":${JSON.stringify(source.group)}`;
      if (source.fromUserId !== undefined) head += `,"fromUserId":${JSON.stringify(source.fromUserId)}`;
    } else {
      head += '"server"';
    }
    this.pubSubBody = `${head},"dataType":"${this.dataType}","data":${this.encodedData()}}`;
    return this.pubSubBody;
  }

  private encodedData(): string {
    switch (this.dataType) {
      // Already validated JSON text: embedding it avoids a parse and a stringify per broadcast.
      case 'json':
        return this.payload.toString('utf8');
      case 'text':
        return JSON.stringify(this.payload.toString('utf8'));
      case 'binary':
        return `"${this.payload.toString('base64')}"`;
    }
  }
}

/** Frames the service sends outside the message sequence. */
export const systemFrames = {
  connected: (connectionId: string, userId: string | undefined, reconnectionToken: string | undefined) =>
    Buffer.from(
      JSON.stringify({ type: 'system', event: 'connected', userId: userId ?? null, connectionId, reconnectionToken }),
    ),
  disconnected: (message: string) => Buffer.from(JSON.stringify({ type: 'system', event: 'disconnected', message })),
  ackSuccess: (ackId: number) => Buffer.from(`{"type":"ack","ackId":${ackId},"success":true}`),
  ackFailure: (ackId: number, name: AckErrorName, message: string) =>
    Buffer.from(JSON.stringify({ type: 'ack', ackId, success: false, error: { name, message } })),
  pong: Buffer.from('{"type":"pong"}'),
};

export type AckErrorName = 'Forbidden' | 'InternalServerError' | 'Duplicate' | 'BadRequest';

/** Maps a Content-Type (REST body or upstream reply) to the data type clients see. */
export function dataTypeOfContentType(contentType: string | undefined): DataType | undefined {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  switch (mediaType) {
    case 'application/json':
      return 'json';
    case 'text/plain':
      return 'text';
    case 'application/octet-stream':
      return 'binary';
    default:
      return undefined;
  }
}
