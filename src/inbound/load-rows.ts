/**
 * One Bulk CSV results page → the COPY text the load sends (load-table.ts).
 *
 * The hot path of an initial load: every value of up to millions of rows
 * passes here. Each row is read into one reused array (CsvRowReader),
 * converted by per-field converters whose type is dispatched once
 * (bulkConverter), and written straight into its chunk's buffer. Nothing made
 * for a row outlives it, so garbage collection stays in the young generation.
 * Measured on 100,000 rows (bench/initial-load.ts): building a record object
 * per row and a page of line strings first cost 0.9 s of CPU; this costs 0.3 s.
 *
 * COPY column order: loadColumns (load-sql.ts).
 */
import { CsvRowReader } from '../salesforce/read-csv.js';
import type { FieldInfo } from '../mapping/field-info.js';
import { bulkConverter, ConversionFailure, toUtcTimestamp, valueKind, type FastConverted } from './convert.js';
import { copyText } from './copy-in.js';
import { rowErrorJson, type FieldError } from './record.js';

/**
 * Rows per COPY statement. The load COPYs one chunk while it converts the
 * next; whole 50,000-row pages left Postgres idle while the first page was
 * converted and the engine idle during the last page's COPY (100,000 rows:
 * 59 % of a plain COPY's speed by pages, 73 % by 10,000-row pages). Chunks
 * give that overlap without asking Salesforce for smaller pages, which would
 * cost an API call and a round trip each.
 */
export const CHUNK_ROWS = 5000;

/** What a run of rows of a page became. */
export interface CopyChunk {
  chunk: Buffer;
  /** Data rows read. */
  seen: number;
  /** Rows in `chunk` (deleted records are left out when the mapping deletes rows). */
  rows: number;
  /** Rows with a value that did not fit (stored as failed, with the reason). */
  failed: number;
}

/** What the page writer needs of the mapping. */
export interface LoadRowsMapping {
  fields: readonly FieldInfo[];
  deleteMode: string;
}

/**
 * A growing buffer of UTF-8 lines. Lines are joined in runs of
 * {@link LINES_PER_WRITE} before each encoding into the buffer: one
 * `Buffer.write` per line cost a fifth of the conversion (1.9 → 1.5 µs a row).
 */
class LineBuffer {
  private buffer: Buffer;
  private length = 0;
  private pending = '';
  private pendingLines = 0;
  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }
  add(line: string): void {
    this.pending += line;
    if (++this.pendingLines === LINES_PER_WRITE) this.flush();
  }
  contents(): Buffer {
    this.flush();
    return this.buffer.subarray(0, this.length);
  }
  private flush(): void {
    const text = this.pending;
    this.pending = '';
    this.pendingLines = 0;
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    if (this.length + text.length * 3 > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + text.length * 3));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length);
  }
}

const LINES_PER_WRITE = 32;

/** A field's COPY text: COPY-escaped for text columns (the other types' outputs have nothing to escape). */
function copyConverter(field: FieldInfo): (raw: string | undefined) => FastConverted {
  const convert = bulkConverter(field);
  return valueKind(field.pgType) === 'text'
    ? (raw) => {
        const value = convert(raw);
        return value instanceof ConversionFailure ? value : copyText(value);
      }
    : (raw) => convert(raw) ?? '\\N';
}

/**
 * COPY text of one CSV page (header row first), in chunks of up to
 * {@link CHUNK_ROWS} rows. `backfill`: only `fields` and SystemModstamp,
 * every row kept; otherwise the full load row. Each chunk follows a turn of
 * the event loop, so the prefetched next page's socket keeps being read
 * (otherwise TCP back-pressure stalls it and fetching and converting no
 * longer overlap).
 */
export async function* copyChunks(mapping: LoadRowsMapping, csv: string, fields: readonly FieldInfo[], backfill: boolean): AsyncGenerator<CopyChunk> {
  const reader = new CsvRowReader(csv);
  const cells: string[] = [];
  if (!reader.next(cells)) return;
  const column = (name: string) => cells.indexOf(name);
  const live = fields.filter((f) => !f.removed);
  const positions = live.map((f) => column(f.name));
  const converters = live.map(copyConverter);
  const iId = column('Id');
  const iStamp = column('SystemModstamp');
  const iDeleted = column('IsDeleted');
  const iCreated = column('CreatedDate');
  const skipDeleted = !backfill && mapping.deleteMode === 'delete';
  const cell = (i: number): string | undefined => (i < 0 ? undefined : cells[i]);
  // Timestamps as toUtcTimestamp writes them hold nothing to escape.
  const stampText = (i: number) => toUtcTimestamp(cell(i) ?? '') ?? '\\N';

  let capacity = 64 * 1024;
  let more = true;
  while (more) {
    await new Promise((resolve) => setImmediate(resolve));
    const out = new LineBuffer(capacity);
    let seen = 0;
    let rows = 0;
    let failed = 0;
    while (seen < CHUNK_ROWS && (more = reader.next(cells))) {
      seen++;
      const isdeleted = cell(iDeleted) === 'true';
      if (skipDeleted && isdeleted) continue;
      let line = copyText(cell(iId) ?? '');
      let errors: FieldError[] | undefined;
      for (let k = 0; k < converters.length; k++) {
        const value = converters[k]!(cell(positions[k]!));
        if (value instanceof ConversionFailure) {
          (errors ??= []).push({ field: live[k]!.name, code: value.code, message: value.message });
          line += '\t\\N';
        } else line += `\t${value}`;
      }
      if (backfill) line += `\t${stampText(iStamp)}\n`;
      else {
        const error = errors ? copyText(JSON.stringify(rowErrorJson(errors))) : '\\N';
        line += `\t${stampText(iStamp)}\t${isdeleted}\t${stampText(iCreated)}\t${errors ? 'failed' : 'synced'}\t${error}\n`;
      }
      if (errors) failed++;
      out.add(line);
      rows++;
    }
    const chunk = out.contents();
    capacity = chunk.length + (chunk.length >> 2);
    if (seen > 0) yield { chunk, seen, rows, failed };
  }
}
