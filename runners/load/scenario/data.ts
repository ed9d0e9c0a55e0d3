// Data files of scenarios (`data: users.csv`): a CSV file with a header row (RFC 4180 quoting; values stay strings)
// or a JSON array of flat objects. Connection k reads row k mod rows as `{{data.FIELD}}`. Errors are DataError with
// a one-line message giving the line (parse.ts puts the scenario and data file names in front).

export type DataRow = Record<string, string | number | boolean | null>;

export class DataError extends Error {}

/** Rows of a data file; `name` decides the format (`.json` is JSON, anything else CSV). */
export function parseDataFile(text: string, name: string): DataRow[] {
  return /\.json$/i.test(name) ? parseJsonRows(text) : parseCsv(text);
}

/** `line 3, column 9: Unexpected token ...` for a JSON.parse error of `text` (Node names only the offset). */
export function jsonSyntaxMessage(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /\bat position (\d+)/.exec(message);
  const offset = at !== null ? Number(at[1]) : /Unexpected end of JSON input/.test(message) ? text.length : undefined;
  const what = message.replace(/\s*(?:in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
  if (offset === undefined) return `invalid JSON: ${what}`;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: invalid JSON: ${what}`;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  return JSON.stringify(v) ?? String(v);
}

function parseJsonRows(text: string): DataRow[] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch (err) {
    throw new DataError(jsonSyntaxMessage(source, err));
  }
  if (!Array.isArray(doc)) throw new DataError(`expected a JSON array of objects, got ${describe(doc)}`);
  if (doc.length === 0) throw new DataError('no rows (an empty array)');
  doc.forEach((row: unknown, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new DataError(`[${i}]: expected an object, got ${describe(row)}`);
    for (const [key, v] of Object.entries(row)) {
      if (v !== null && typeof v === 'object') {
        throw new DataError(`[${i}].${key}: expected a string, number, boolean or null (rows are flat), got ${describe(v)}`);
      }
    }
  });
  return doc as DataRow[];
}

/** RFC 4180: fields split by commas, records by CRLF (LF and CR alone accepted), `"` quotes with `""` inside. */
export function parseCsv(input: string): Record<string, string>[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input; // a BOM from spreadsheet exports
  if (text.length === 0) throw new DataError('empty file: a header row is required');
  const records = csvRecords(text);
  const { fields: header, line: headerLine } = records[0]!;
  header.forEach((name, i) => {
    if (name === '') throw new DataError(`line ${headerLine}: column ${i + 1} of the header row has no name`);
    if (header.indexOf(name) !== i) throw new DataError(`line ${headerLine}: column "${name}" appears twice in the header row`);
  });
  if (records.length === 1) throw new DataError('no rows after the header row');
  const rows: Record<string, string>[] = [];
  for (let r = 1; r < records.length; r++) {
    const { fields, line } = records[r]!;
    if (fields.length !== header.length) {
      throw new DataError(`line ${line}: ${fields.length} field${fields.length === 1 ? '' : 's'} but the header row has ${header.length}`);
    }
    // fromEntries defines properties, so a column named __proto__ is a column, not the row's prototype.
    rows.push(Object.fromEntries(header.map((name, i) => [name, fields[i]!])));
  }
  return rows;
}

interface CsvRecord {
  fields: string[];
  /** The line the record starts on (quoted fields may span lines). */
  line: number;
}

function csvRecords(text: string): CsvRecord[] {
  const n = text.length;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  for (;;) {
    let field: string;
    if (text[i] === '"') {
      const opened = line;
      field = '';
      let from = ++i;
      for (;;) {
        if (i >= n) throw new DataError(`line ${opened}: a quoted field is not closed`);
        const c = text[i];
        if (c === '"') {
          field += text.slice(from, i);
          if (text[i + 1] !== '"') break;
          field += '"';
          i += 2;
          from = i;
          continue;
        }
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        i++;
      }
      i++; // the closing quote
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        throw new DataError(`line ${line}: ${JSON.stringify(text[i])} after a closing quote (quote the whole field)`);
      }
    } else {
      const from = i;
      while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        if (text[i] === '"') throw new DataError(`line ${line}: a quote inside an unquoted field (quote the field and double the quote)`);
        i++;
      }
      field = text.slice(from, i);
    }
    fields.push(field);
    if (i >= n) break;
    if (text[i] === ',') {
      i++;
      continue;
    }
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    records.push({ fields, line: recordLine });
    fields = [];
    line++;
    recordLine = line;
    if (i >= n) return records; // the trailing line break of the last record
  }
  records.push({ fields, line: recordLine });
  return records;
}
