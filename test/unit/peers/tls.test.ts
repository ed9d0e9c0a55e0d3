import { describe, expect, it } from 'vitest';
import { buildTlsConnectOptions, hostOf, portOf } from '../../../peers/tls.js';

describe('TLS and URL helpers', () => {
  it('default ports per scheme (RFC 6455 §3)', () => {
    expect(portOf(new URL('ws://a/'))).toBe(80);
    expect(portOf(new URL('wss://a/'))).toBe(443);
    expect(portOf(new URL('wss://a:8443/'))).toBe(8443);
  });

  it('IPv6 hosts lose their brackets', () => {
    expect(hostOf(new URL('ws://[::1]:9/'))).toBe('::1');
  });

  it('sends SNI for names only (RFC 6066 §3), verifies unless insecure, reads the CA', () => {
    const named = buildTlsConnectOptions(new URL('wss://localhost:1/'), { ca: 'PEM' });
    expect(named).toMatchObject({ host: 'localhost', port: 1, servername: 'localhost', rejectUnauthorized: true, ca: 'PEM' });
    const ip = buildTlsConnectOptions(new URL('wss://127.0.0.1:1/'), { insecure: true });
    expect(ip.servername).toBeUndefined();
    expect(ip.rejectUnauthorized).toBe(false);
    expect(() => buildTlsConnectOptions(new URL('wss://a/'), { caFile: '/nonexistent/ca.pem' })).toThrow(/ENOENT/);
  });
});
