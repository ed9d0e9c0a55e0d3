// How a Connection is set up: its role, its policy towards a misbehaving peer, its limits and extensions.
import type { Entropy } from '../entropy.js';
import type { MessageExtension } from '../extensions/extension.js';

export type Role = 'client' | 'server';
export type Policy = 'strict' | 'observe';
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

export interface ConnectionOptions {
  role: Role;
  /** Default 'strict'. */
  policy?: Policy;
  /** Largest message (all fragments, after extensions) accepted; above it: 'message-too-big' (1009). */
  maxMessageSize?: number;
  /** Largest frame payload accepted; above it: 'frame-too-big' (1009), reported once the header is in. */
  maxFrameSize?: number;
  /** Source of client masking keys. Default: cryptographic. */
  entropy?: Entropy;
  /** Negotiated extensions, in the order of the handshake response. */
  extensions?: MessageExtension[];
  /** Answer pings with pongs carrying the same payload. Default true. */
  autoPong?: boolean;
  /** Default 'open': peers run the HTTP handshake first. 'connecting' buffers input until open(). */
  state?: ConnectionState;
  /** Emit a 'frame' event for every received frame (transcripts). Default true; load clients turn it off. */
  frameEvents?: boolean;
  /**
   * Text events also carry the message's validated UTF-8 `bytes`, and their `data` string is decoded only when
   * read (an echo server sends the bytes back without decoding and re-encoding them). Default false.
   */
  textAsBytes?: boolean;
}

export interface SendOptions {
  /** Payload sizes of the frames to split the message into; bytes left over go into one last frame. */
  fragments?: number[];
}
