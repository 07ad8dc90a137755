/**
 * The Postgres side's app: plain SQL on the mapped tables, as an application
 * would write it. Inserts of Accounts (no External ID on that mapping, so a
 * killed push must find its own record again), Contacts with an External ID
 * and `accountid = '@<local id>'` pointing at local parents (some inserted in
 * the same transaction as the parent), single- and multi-row updates (also of
 * records Salesforce edits at the same moment, and of rows not sent yet),
 * deletes. Every creation and deletion is recorded in the ledger.
 */
import type pg from 'pg';
import { codeOf, isConnectionError, type AppDb } from './app-db.js';
import type { Ledger } from './ledger.js';
import type { Rng } from './prng.js';
import { TABLES, type RecordPool } from './record-pool.js';

type Op = () => Promise<void>;

/** The Postgres app. */
export class PgWorkload {
  private readonly ops: Array<[number, Op]>;

  constructor(
    private readonly db: AppDb,
    private readonly ledger: Ledger,
    private readonly pool: RecordPool,
    private readonly rng: Rng,
  ) {
    this.ops = [
      [12, () => this.insertAccounts()],
      [8, () => this.insertAccountWithContacts()],
      [10, () => this.insertContacts()],
      [22, () => this.updateOne()],
      [14, () => this.updateMany()],
      [8, () => this.updateFresh()],
      [4, () => this.reparentContact()],
      [7, () => this.deleteSome()],
    ];
  }

  /** One operation, chosen by weight; a refusal is counted, never thrown. */
  async step(): Promise<void> {
    const op = this.rng.weighted(this.ops);
    this.ledger.op('pg');
    try {
      await op();
    } catch (error) {
      this.ledger.error('pg', codeOf(error));
    }
  }

  private accountValues() {
    const n = this.ledger.nextValue();
    return { revenue: this.rng.int(1, 9_999_999), description: `pg-${this.ledger.seed}-${n}` };
  }

  private contactValues() {
    const n = this.ledger.nextValue();
    return { first: `Pg${n}`, email: `pg${this.ledger.seed}.${n}@soak.test` };
  }

  /** Multi-row insert of 1–3 Accounts. */
  private async insertAccounts(): Promise<void> {
    const tags = Array.from({ length: this.rng.int(1, 3) }, () => this.ledger.newTag('Account', 'pg'));
    const values = tags.map(() => this.accountValues());
    const rows = await this.db
      .write(
        (c) =>
          insertAccounts(
            c,
            tags,
            values.map((v) => v.revenue),
            values.map((v) => v.description),
          ),
        { settle: (db) => settleInsert(db, 'Account', tags) },
      )
      .catch((error: unknown) => this.refused(tags, error));
    this.recordInserted('Account', rows);
  }

  /** One Account and 1–2 Contacts pointing at it by `@<id>`, in one transaction. */
  private async insertAccountWithContacts(): Promise<void> {
    const accountTag = this.ledger.newTag('Account', 'pg');
    const contactTags = Array.from({ length: this.rng.int(1, 2) }, () => this.ledger.newTag('Contact', 'pg'));
    this.ledger.claimParent(accountTag);
    const account = this.accountValues();
    const contacts = contactTags.map(() => this.contactValues());
    const rows = await this.db
      .write(
        async (c) => {
          const parent = await insertAccounts(c, [accountTag], [account.revenue], [account.description]);
          const children = await insertContacts(c, contactTags, contacts, `@${parent[0]!.id}`);
          return [...parent, ...children];
        },
        { settle: async (db) => mergeSettled(await settleInsert(db, 'Account', [accountTag]), await settleInsert(db, 'Contact', contactTags)) },
      )
      .catch((error: unknown) => this.refused([accountTag, ...contactTags], error));
    this.recordInserted(
      'Account',
      rows.filter((r) => r.tag === accountTag),
    );
    this.recordInserted(
      'Contact',
      rows.filter((r) => r.tag !== accountTag),
    );
  }

  /** 1–3 Contacts under one existing local Account (`@<id>`), or without an Account. */
  private async insertContacts(): Promise<void> {
    const parent = this.rng.chance(0.8) ? this.pool.pickLocal(this.rng, 'Account', 1, 'parent')[0] : undefined;
    if (parent && !this.ledger.claimParent(parent.tag)) return;
    const tags = Array.from({ length: this.rng.int(1, 3) }, () => this.ledger.newTag('Contact', 'pg'));
    const values = tags.map(() => this.contactValues());
    const rows = await this.db
      .write((c) => insertContacts(c, tags, values, parent?.localId ? `@${parent.localId}` : null), { settle: (db) => settleInsert(db, 'Contact', tags) })
      .catch((error: unknown) => this.refused(tags, error));
    this.recordInserted('Contact', rows);
  }

  /** One record by local id, often one Salesforce edits too. */
  private async updateOne(): Promise<void> {
    const object = this.rng.chance(0.6) ? 'Account' : 'Contact';
    const target = this.rng.chance(0.7) ? this.pool.pickShared(this.rng, object, 1)[0] : this.pool.pickLocal(this.rng, object, 1)[0];
    if (!target) return;
    const where = target.localId ? 'id = $1::bigint' : 'sfid = $1';
    const key = target.localId ?? target.sfid;
    const count = await this.db.write((c) => this.setValues(c, object, where, [key]));
    this.ledger.updated('pg', count);
  }

  /** 2–6 records known on both sides in one statement (`where sfid = any($1)`). */
  private async updateMany(): Promise<void> {
    const object = this.rng.chance(0.5) ? 'Account' : 'Contact';
    const sfids = this.pool
      .pickShared(this.rng, object, this.rng.int(2, 6))
      .map((r) => r.sfid)
      .filter((s): s is string => !!s);
    if (sfids.length === 0) return;
    const count = await this.db.write((c) => this.setValues(c, object, 'sfid = any($1::text[])', [sfids]));
    this.ledger.updated('pg', count);
  }

  /** Rows not sent yet (no sfid): the update races the insert's push. */
  private async updateFresh(): Promise<void> {
    const object = this.rng.chance(0.5) ? 'Account' : 'Contact';
    const { table } = TABLES[object];
    const count = await this.db.write(async (c) => {
      const ids = (await c.query<{ id: string }>(`select id::text from ${table} where sfid is null order by id desc limit 3`)).rows.map((r) => r.id);
      return ids.length ? this.setValues(c, object, 'id = any($1::bigint[])', [ids]) : 0;
    });
    this.ledger.updated('pg', count);
  }

  /** Move a Contact under another local Account. */
  private async reparentContact(): Promise<void> {
    const contact = this.pool.pickLocal(this.rng, 'Contact', 1)[0];
    const parent = this.pool.pickLocal(this.rng, 'Account', 1, 'parent')[0];
    if (!contact?.localId || !parent?.localId || !this.ledger.claimParent(parent.tag)) return;
    const sql = 'update salesforce.contact set accountid = $2 where id = $1::bigint';
    const count = await this.db.write(async (c) => (await c.query(sql, [contact.localId, `@${parent.localId}`])).rowCount ?? 0);
    this.ledger.updated('pg', count);
  }

  /** Delete 1–2 rows that are nobody's parent. */
  private async deleteSome(): Promise<void> {
    const object = this.rng.chance(0.4) ? 'Account' : 'Contact';
    const victims = this.pool.pickLocal(this.rng, object, this.rng.int(1, 2)).filter((r) => r.localId && this.ledger.claimDelete(r.tag));
    if (victims.length === 0) return;
    const { table, tagColumn } = TABLES[object];
    const ids = victims.map((v) => v.localId!);
    const sql = `delete from ${table} where id = any($1::bigint[]) returning id::text, sfid, ${tagColumn} as tag`;
    const deleted = await this.db.write(async (c) => (await c.query<DeletedRow>(sql, [ids])).rows, {
      // After a lost COMMIT: the rows gone now were deleted (by us, or by a sync of a Salesforce delete: gone either way).
      settle: async (db) => {
        const left = new Set((await db.read<{ id: string }>(`select id::text from ${table} where id = any($1::bigint[])`, [ids])).map((r) => r.id));
        const gone = victims.filter((v) => !left.has(v.localId!));
        return gone.length === 0 ? undefined : gone.map((v) => ({ id: v.localId!, sfid: v.sfid ?? null, tag: v.tag }));
      },
    });
    for (const row of deleted) this.ledger.deleted(row.tag, 'pg', { localId: row.id, sfid: row.sfid });
  }

  private async setValues(c: pg.PoolClient, object: 'Account' | 'Contact', where: string, params: unknown[]): Promise<number> {
    if (object === 'Account') {
      const v = this.accountValues();
      const sql = `update salesforce.account set annualrevenue = $${params.length + 1}, description = $${params.length + 2} where ${where}`;
      return (await c.query(sql, [...params, v.revenue, v.description])).rowCount ?? 0;
    }
    const v = this.contactValues();
    const sql = `update salesforce.contact set firstname = $${params.length + 1}, email = $${params.length + 2} where ${where}`;
    return (await c.query(sql, [...params, v.first, v.email])).rowCount ?? 0;
  }

  private recordInserted(object: 'Account' | 'Contact', rows: InsertedRow[]): void {
    for (const row of rows) {
      this.ledger.created(row.tag, { localId: row.id });
      this.pool.add(object, { tag: row.tag, localId: row.id });
    }
  }

  /** A refused insert created nothing; one still unknown after the retries stays unknown (settled at the end). */
  private refused(tags: string[], error: unknown): InsertedRow[] {
    if (!isConnectionError(error)) for (const tag of tags) this.ledger.notCreated(tag);
    throw error;
  }
}

/** A row a delete returned. */
interface DeletedRow {
  id: string;
  sfid: string | null;
  tag: string;
}

/** A row an insert returned. */
interface InsertedRow {
  id: string;
  tag: string;
}

function insertAccounts(c: pg.PoolClient, tags: string[], revenues: number[], descriptions: string[]): Promise<InsertedRow[]> {
  const sql = `insert into salesforce.account (name, annualrevenue, description)
    select * from unnest($1::text[], $2::float8[], $3::text[]) returning id::text, name as tag`;
  return c.query<InsertedRow>(sql, [tags, revenues, descriptions]).then((r) => r.rows);
}

function insertContacts(c: pg.PoolClient, tags: string[], values: Array<{ first: string; email: string }>, accountRef: string | null): Promise<InsertedRow[]> {
  const sql = `insert into salesforce.contact (lastname, firstname, email, ext_id__c, accountid)
    select l, f, e, l, $4 from unnest($1::text[], $2::text[], $3::text[]) as v(l, f, e) returning id::text, lastname as tag`;
  return c.query<InsertedRow>(sql, [tags, values.map((v) => v.first), values.map((v) => v.email), accountRef]).then((r) => r.rows);
}

/** After a lost COMMIT: the rows if all `tags` exist (it committed), undefined if none do (it did not). */
async function settleInsert(db: AppDb, object: 'Account' | 'Contact', tags: string[]): Promise<InsertedRow[] | undefined> {
  const { table, tagColumn } = TABLES[object];
  const rows = await db.read<InsertedRow>(`select id::text, ${tagColumn} as tag from ${table} where ${tagColumn} = any($1)`, [tags]);
  return rows.length === 0 ? undefined : rows;
}

function mergeSettled(a: InsertedRow[] | undefined, b: InsertedRow[] | undefined): InsertedRow[] | undefined {
  return a === undefined && b === undefined ? undefined : [...(a ?? []), ...(b ?? [])];
}
