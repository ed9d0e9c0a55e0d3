// A client that comes back: when its connection ends without close() having been asked for (or a connection
// attempt fails), it waits a backoff delay and connects again, up to maxAttempts consecutive failures. Each
// step is an event: reconnecting {attempt, delayMs}, reconnected {attempt}, gave-up {attempts}.
import { CloseCode } from '../../protocol/constants.js';
import { cryptoEntropy, type Entropy } from '../../protocol/entropy.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { connectClient, type ClientEvents, type ClientOptions, type CloseInfo, type ReferenceClient } from './client.js';
import { TypedEmitter } from './typed-emitter.js';

export interface ReconnectOptions extends ClientOptions {
  backoff?: BackoffOptions;
  /** Randomness for the jitter only (mask keys use `entropy`), so tests can pin the delays. */
  jitterEntropy?: Entropy;
}

export interface ReconnectEvents extends Omit<ClientEvents, 'frame'> {
  /** A connection is open: the first one (attempt 0) or a reconnection. */
  open: { client: ReferenceClient; attempt: number };
  reconnecting: { attempt: number; delayMs: number; error?: string };
  reconnected: { attempt: number; client: ReferenceClient };
  'gave-up': { attempts: number; error?: string };
}

export class ReconnectingClient extends TypedEmitter<ReconnectEvents> {
  private client: ReferenceClient | null = null;
  private attempt = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly jitter: Entropy;

  constructor(
    readonly url: string,
    private readonly opts: ReconnectOptions = {},
  ) {
    super();
    this.jitter = opts.jitterEntropy ?? cryptoEntropy();
  }

  /** The open connection, or null while reconnecting. */
  get current(): ReferenceClient | null {
    return this.client;
  }

  /** Connects the first time; resolves once open, or rejects once the attempts are used up. */
  start(): Promise<ReferenceClient> {
    const first = new Promise<ReferenceClient>((resolve, reject) => {
      const offOpen = this.once('open', ({ client }) => {
        offGaveUp();
        resolve(client);
      });
      const offGaveUp = this.once('gave-up', ({ error }) => {
        offOpen();
        reject(new Error(`gave up: ${error ?? 'no connection'}`));
      });
    });
    void this.connect();
    return first;
  }

  /** Stops reconnecting and closes the current connection. */
  async close(code: number = CloseCode.Normal, reason = ''): Promise<CloseInfo | null> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    return this.client === null ? null : this.client.close(code, reason);
  }

  private async connect(): Promise<void> {
    let client: ReferenceClient;
    try {
      client = await connectClient(this.url, this.opts);
    } catch (err) {
      this.retry((err as Error).message);
      return;
    }
    if (this.stopped) {
      void client.close(CloseCode.GoingAway);
      return;
    }
    this.client = client;
    const attempt = this.attempt;
    this.attempt = 0;
    client.on('message', (m) => this.emit('message', m));
    client.on('ping', (p) => this.emit('ping', p));
    client.on('pong', (p) => this.emit('pong', p));
    client.on('close-frame', (c) => this.emit('close-frame', c));
    client.on('violation', (v) => this.emit('violation', v));
    client.on('error', (e) => this.emit('error', e));
    client.on('dead', (d) => this.emit('dead', d));
    client.on('close', (info) => {
      this.client = null;
      this.emit('close', info);
      if (!this.stopped) this.retry(`closed with ${info.code}`);
    });
    this.emit('open', { client, attempt });
    if (attempt > 0) this.emit('reconnected', { attempt, client });
  }

  private retry(error: string): void {
    if (this.stopped) return;
    const max = this.opts.backoff?.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts;
    if (this.attempt >= max) {
      this.stopped = true;
      this.emit('gave-up', { attempts: this.attempt, error });
      return;
    }
    const attempt = ++this.attempt;
    const delayMs = backoffDelay(attempt, this.opts.backoff ?? {}, this.jitter);
    this.emit('reconnecting', { attempt, delayMs, error });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delayMs);
  }
}

export function connectReconnecting(url: string, opts: ReconnectOptions = {}): ReconnectingClient {
  return new ReconnectingClient(url, opts);
}
