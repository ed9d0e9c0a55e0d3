// Escaping for the three output languages of the writers. Close reasons, payload previews and case text may hold
// any string a target sent, so everything goes through one of these before it reaches a report.

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Removes what XML 1.0 cannot hold even as a character reference (§2.2 Char): C0 controls other than tab, LF and
 * CR, lone surrogates, U+FFFE and U+FFFF. Each removed character becomes U+FFFD so a reader sees that something was
 * there.
 */
export function stripInvalidXmlChars(text: string): string {
  // The `u` flag makes the class match lone surrogates only (a valid pair is one code point).
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu, '\uFFFD');
}

/**
 * Escapes for XML element content and double-quoted attributes, after stripping invalid characters. `>` is always
 * escaped, so `]]>` can never appear in the output. In attributes, tab, LF and CR become character references
 * because attribute-value normalisation would turn them into spaces.
 */
export function escapeXml(text: string, inAttribute = false): string {
  const clean = stripInvalidXmlChars(text).replace(/[&<>"]/g, (c) => XML_ENTITIES[c]!);
  return inAttribute ? clean.replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`) : clean;
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Serialises a value as JSON that is safe inside `<script type="application/json">`: `<` is escaped so neither
 * `</script>` nor `<!--` can occur, and U+2028/U+2029 are escaped for any reader that treats the text as script.
 * Lone surrogates are already escaped by JSON.stringify (well-formed JSON.stringify, ES2019).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Replaces lone surrogates with U+FFFD, so the text encodes to UTF-8 unchanged (a file write would otherwise do the
 * replacement silently, and the output would differ from the string that was tested).
 */
export function toWellFormed(text: string): string {
  return text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
}
