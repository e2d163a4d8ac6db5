import { Blob as NodeBlob } from 'node:buffer';
import type { HttpRequest, HttpRequestUser } from '@azure/functions';
import functions from '@azure/functions';
import { RequestHeaders } from './request-headers.js';

export interface InvocationRequestInit {
  method: string;
  /** Absolute and normalized (`URL.href`). */
  url: string;
  /** Lower-case names, as Node's parser and the platform's own headers have them; taken over. */
  headers: Map<string, string>;
  params: Record<string, string>;
  body: Buffer;
}

/**
 * The request a function receives: what the library's `HttpRequest` offers, over a body the host has already read.
 * The library's class builds an undici `Request` with a web stream for the body and keeps its fields in WeakMaps,
 * which together cost as much CPU as the app's whole event handling; this one computes what is rarely read (`query`,
 * `user`, the body as a stream or form) on first use, `user` by the library itself.
 */
export class InvocationRequest implements HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: RequestHeaders;
  readonly params: Record<string, string>;
  #body: Buffer | undefined;
  #used = false;
  #stream: HttpRequest['body'] | undefined;
  #query: URLSearchParams | undefined;
  #user: HttpRequestUser | null | undefined;

  constructor(init: InvocationRequestInit) {
    this.method = init.method;
    this.url = init.url;
    this.headers = new RequestHeaders(init.headers);
    this.params = init.params;
    // As with the library: GET and HEAD requests carry no body, and an empty body is none.
    const bodyless = init.method === 'GET' || init.method === 'HEAD' || init.body.length === 0;
    this.#body = bodyless ? undefined : init.body;
  }

  /** From the URL, so repeated parameters (`?a=1&a=2`) are all there, as on the platform. */
  get query(): URLSearchParams {
    this.#query ??= new URL(this.url).searchParams;
    return this.#query;
  }

  /** The platform's principal headers, read by the library's own parser. */
  get user(): HttpRequestUser | null {
    if (this.#user === undefined) {
      const headers = Object.fromEntries(this.headers);
      this.#user = new functions.HttpRequest({ method: 'GET', url: this.url, headers }).user;
    }
    return this.#user;
  }

  /** The body as a stream; handing it out counts as reading it. */
  get body(): HttpRequest['body'] {
    if (!this.#body) return null;
    // The DOM and Node typings of web streams differ; at run time both are Node's.
    this.#stream ??= this.#asResponse().body as HttpRequest['body'];
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return this.#consume().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<NodeBlob> {
    return new NodeBlob([this.#consume()], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    return this.#asResponse().formData();
  }

  clone(): InvocationRequest {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    return new InvocationRequest({
      method: this.method,
      url: this.url,
      headers: new Map(this.headers),
      params: { ...this.params },
      body: this.#body ?? Buffer.alloc(0),
    });
  }

  /** What fetch does: a body can be read once; no body reads as empty, any number of times. */
  #consume(): Buffer {
    if (!this.#body) return Buffer.alloc(0);
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#body;
  }

  /** The rarely used stream and form readers, from a fetch `Response` over the same bytes (marks the body read). */
  #asResponse(): Response {
    return new Response(new Uint8Array(this.#consume()), { headers: this.headers });
  }
}
