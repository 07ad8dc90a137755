/**
 * `COPY … FROM STDIN` over node-postgres without pg-copy-streams: a minimal
 * Submittable that sends the given chunks when the server asks for data.
 * pg calls `submit`, then `handleCopyInResponse` (send data + CopyDone),
 * `handleCommandComplete` (row count), `handleReadyForQuery` (done) or
 * `handleError`. On an error pg clears its active query BEFORE calling
 * handleError, so handleReadyForQuery never follows: the error must settle the
 * promise itself (before this, a rejected COPY left its job hanging forever,
 * holding its transaction, connection and apply lock). Used by the initial load: text-format COPY is ~2× faster
 * than multi-row INSERT … SELECT from jsonb_to_recordset here (bench/initial-load.ts).
 */
import type pg from 'pg';

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

class CopyIn {
  private rowCount = 0;
  private settled = false;
  constructor(
    readonly text: string,
    private readonly chunks: readonly Buffer[],
    private readonly done: (error: Error | undefined, rows: number) => void,
  ) {}
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }
  handleCommandComplete(message: { text?: string }): void {
    const m = /COPY (\d+)/.exec(message.text ?? '');
    this.rowCount = m ? Number(m[1]) : 0;
  }
  handleError(error: Error): void {
    this.settle(error);
  }
  handleReadyForQuery(): void {
    this.settle(undefined);
  }
  private settle(error: Error | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.done(error, this.rowCount);
  }
  // Not used by COPY FROM; present because pg may call them on unusual replies.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Run `copySql` (a `COPY … FROM STDIN` statement) sending `chunks`; resolves to the rows copied. */
export function copyFrom(client: pg.PoolClient | pg.Client, copySql: string, chunks: readonly Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const submittable = new CopyIn(copySql, chunks, (error, rows) => (error ? reject(error) : resolve(rows)));
    void (client as unknown as { query(s: unknown): unknown }).query(submittable);
  });
}

/** One value in COPY text format: `\N` for null; backslash, newline, CR and tab escaped. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : value;
}
