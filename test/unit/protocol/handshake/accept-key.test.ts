import { describe, expect, it } from 'vitest';
import { computeAcceptKey } from '../../../../protocol/handshake/accept-key.js';

describe('computeAcceptKey', () => {
  it('matches the example of RFC 6455 §4.2.2', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  it('hashes the key as sent, not decoded', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).not.toBe(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ'));
  });
});
