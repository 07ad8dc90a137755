/**
 * The Salesforce side's app: REST writes to the org while the Postgres app
 * writes to the tables. Creates (single and sObject Collections batches),
 * updates (single, and Collections PATCH over records the Postgres side edits
 * too), deletes (single and Collections DELETE), on Accounts and Contacts.
 * Every reply is read: a created Id goes to the ledger, a refusal is counted
 * by its code, and a call without a reply leaves its records `unknown` for the
 * ledger to settle before the oracle runs.
 */
import type { Ledger, SoakObject } from './ledger.js';
import type { Rng } from './prng.js';
import type { PoolRecord, RecordPool } from './record-pool.js';
import { errorCodeOf, type CollectionResult, type RestReply, type SalesforceRest } from './salesforce-rest.js';

type Op = () => Promise<void>;
type Fields = Record<string, unknown>;

/** The Salesforce app. */
export class SfWorkload {
  private readonly ops: Array<[number, Op]>;

  constructor(
    private readonly rest: SalesforceRest,
    private readonly ledger: Ledger,
    private readonly pool: RecordPool,
    private readonly rng: Rng,
  ) {
    this.ops = [
      [12, () => this.createOne()],
      [10, () => this.createBatch()],
      [24, () => this.updateOne()],
      [16, () => this.updateBatch()],
      [5, () => this.deleteOne()],
      [3, () => this.deleteBatch()],
    ];
  }

  /** One operation, chosen by weight; a refusal is counted, never thrown. */
  async step(): Promise<void> {
    const op = this.rng.weighted(this.ops);
    this.ledger.op('sf');
    try {
      await op();
    } catch (error) {
      this.ledger.error('sf', (error as Error).message.slice(0, 40));
    }
  }

  private randomObject(pAccount = 0.5): SoakObject {
    return this.rng.chance(pAccount) ? 'Account' : 'Contact';
  }

  /** Values of a new record (tag included), or undefined when a Contact's parent could not be claimed. */
  private newRecord(object: SoakObject, tag: string): Fields {
    if (object === 'Account') return { Name: tag, ...this.accountEdit() };
    const parent = this.rng.chance(0.75) ? this.pool.pickShared(this.rng, 'Account', 1, 'parent')[0] : undefined;
    const accountId = parent?.sfid && this.ledger.claimParent(parent.tag) ? parent.sfid : null;
    return { LastName: tag, ...this.contactEdit(), AccountId: accountId, ...(this.rng.chance(0.7) ? { Ext_Id__c: tag } : {}) };
  }

  private accountEdit(): Fields {
    return { AnnualRevenue: this.rng.int(1, 9_999_999), Description: `sf-${this.ledger.seed}-${this.ledger.nextValue()}` };
  }

  private contactEdit(): Fields {
    const n = this.ledger.nextValue();
    return { FirstName: `Sf${n}`, Email: `sf${this.ledger.seed}.${n}@soak.test` };
  }

  private edit(object: SoakObject): Fields {
    return object === 'Account' ? this.accountEdit() : this.contactEdit();
  }

  /** `POST /sobjects/X`. */
  private async createOne(): Promise<void> {
    const object = this.randomObject();
    const tag = this.ledger.newTag(object, 'sf');
    const reply = await this.rest.request('POST', `/sobjects/${object}`, this.newRecord(object, tag));
    if (reply.kind === 'unknown') return this.ledger.error('sf', 'no-reply');
    const body = reply.body as { id?: string };
    if (reply.status === 201 && body.id) this.createdOne(object, tag, body.id);
    else this.refusedCreate(tag, errorCodeOf(reply.body));
  }

  /** `POST /composite/sobjects` with 2–5 records of one object. */
  private async createBatch(): Promise<void> {
    const object = this.randomObject();
    const tags = Array.from({ length: this.rng.int(2, 5) }, () => this.ledger.newTag(object, 'sf'));
    const records = tags.map((tag) => ({ attributes: { type: object }, ...this.newRecord(object, tag) }));
    const results = collectionResults(await this.rest.request('POST', '/composite/sobjects', { allOrNone: false, records }));
    if (results === undefined) return this.ledger.error('sf', 'no-reply');
    tags.forEach((tag, i) => {
      const r = results[i];
      if (r?.success && r.id) this.createdOne(object, tag, r.id);
      else this.refusedCreate(tag, r?.errors?.[0]?.statusCode ?? 'UNKNOWN');
    });
  }

  /** `PATCH /sobjects/X/{id}` of a record the Postgres side may edit too. */
  private async updateOne(): Promise<void> {
    const object = this.randomObject(0.6);
    const target = this.pool.pickShared(this.rng, object, 1)[0];
    if (!target?.sfid) return;
    const reply = await this.rest.request('PATCH', `/sobjects/${object}/${target.sfid}`, this.edit(object));
    if (reply.kind === 'unknown') return this.ledger.error('sf', 'no-reply');
    if (reply.status === 204) this.ledger.updated('sf', 1);
    else this.ledger.error('sf', errorCodeOf(reply.body));
  }

  /** `PATCH /composite/sobjects` of 2–6 shared records. */
  private async updateBatch(): Promise<void> {
    const object = this.randomObject();
    const targets = this.pool.pickShared(this.rng, object, this.rng.int(2, 6)).filter((t) => t.sfid);
    if (targets.length === 0) return;
    const records = targets.map((t) => ({ attributes: { type: object }, id: t.sfid, ...this.edit(object) }));
    const results = collectionResults(await this.rest.request('PATCH', '/composite/sobjects', { allOrNone: false, records }));
    if (results === undefined) return this.ledger.error('sf', 'no-reply');
    for (const r of results) {
      if (r.success) this.ledger.updated('sf', 1);
      else this.ledger.error('sf', r.errors?.[0]?.statusCode ?? 'UNKNOWN');
    }
  }

  /** `DELETE /sobjects/X/{id}` of a record that is nobody's parent. */
  private async deleteOne(): Promise<void> {
    const object = this.randomObject(0.4);
    const target = this.pool.pickShared(this.rng, object, 1).find((t) => t.sfid && this.ledger.claimDelete(t.tag));
    if (!target) return;
    const reply = await this.rest.request('DELETE', `/sobjects/${object}/${target.sfid}`);
    if (reply.kind === 'unknown') return this.ledger.deleteUnknown(target.tag, target.sfid!);
    this.afterDelete(target, reply.status === 204 ? undefined : errorCodeOf(reply.body));
  }

  /** `DELETE /composite/sobjects?ids=…` of 2–3 records. */
  private async deleteBatch(): Promise<void> {
    const object = this.randomObject(0.4);
    const targets = this.pool.pickShared(this.rng, object, this.rng.int(2, 3)).filter((t) => t.sfid && this.ledger.claimDelete(t.tag));
    if (targets.length === 0) return;
    const ids = targets.map((t) => t.sfid).join(',');
    const results = collectionResults(await this.rest.request('DELETE', `/composite/sobjects?ids=${ids}&allOrNone=false`));
    if (results === undefined) {
      for (const t of targets) this.ledger.deleteUnknown(t.tag, t.sfid!);
      return;
    }
    targets.forEach((t, i) => this.afterDelete(t, results[i]?.success ? undefined : (results[i]?.errors?.[0]?.statusCode ?? 'UNKNOWN')));
  }

  /** A delete done, or refused because the record is deleted already (it is gone either way). */
  private afterDelete(target: PoolRecord, code: string | undefined): void {
    if (code !== undefined) this.ledger.error('sf', code);
    if (code === undefined || code === 'ENTITY_IS_DELETED') this.ledger.deleted(target.tag, 'sf', { sfid: target.sfid });
  }

  private createdOne(object: SoakObject, tag: string, id: string): void {
    this.ledger.created(tag, { sfid: id });
    this.pool.add(object, { tag, sfid: id });
  }

  private refusedCreate(tag: string, code: string): void {
    this.ledger.notCreated(tag);
    this.ledger.error('sf', code);
  }
}

/** The per-record results of a Collections call, or undefined when no reply came. Throws on a whole-call refusal. */
function collectionResults(reply: RestReply): CollectionResult[] | undefined {
  if (reply.kind === 'unknown') return undefined;
  if (reply.status !== 200 || !Array.isArray(reply.body)) throw new Error(errorCodeOf(reply.body));
  return reply.body as CollectionResult[];
}
