import { describe, expect, it } from 'vitest';
import { formatRfcSection } from '../../reports/format.js';

describe('formatRfcSection', () => {
  it.each([
    ['5.5', 'RFC 6455 §5.5'],
    ['§7.4.1', 'RFC 6455 §7.4.1'],
    ['7692 7.2.1', 'RFC 7692 §7.2.1'],
    ['7692 §6.1', 'RFC 7692 §6.1'],
  ])('%s -> %s', (section, cited) => {
    expect(formatRfcSection(section)).toBe(cited);
  });
});
