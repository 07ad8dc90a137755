/** The machine a benchmark ran on, printed under its figures. */
import os from 'node:os';
import type pg from 'pg';

/** CPU model, cores, Node and Postgres versions, one line each. */
export async function describeMachine(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ version: string; fsync: string }>(`select version(), current_setting('fsync') as fsync`);
  return [
    `cpu: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `os: ${os.type()} ${os.release()}; node ${process.version}`,
    `postgres: ${rows[0]?.version.split(',')[0] ?? 'unknown'} (fsync ${rows[0]?.fsync ?? 'unknown'})`,
  ].join('\n');
}
