/**
 * The org's PushTopics, read from `PushTopic` records (created through REST like
 * any record). Records are re-scanned on every use, so a topic created, edited or
 * deactivated takes effect at once; compiled queries are cached by Id + Query.
 */
import type { RecordSource, SchemaLookup, SfRecord, StoredRecord } from '../ports.js';
import type { CompileFilter, PushTopicQuery } from './pushtopic-query.js';
import { parsePushTopicQuery } from './pushtopic-query.js';

/** `NotifyForFields` of a PushTopic; Referenced is Salesforce's default. */
export type NotifyForFields = 'All' | 'Referenced' | 'Select' | 'Where';

/** One PushTopic as notification matching uses it. */
export interface PushTopicInfo {
  id: string;
  name: string;
  /** The topic's API version, e.g. 59 (payload `createdDate` ends in `Z` from 37.0). */
  apiVersion: number;
  isActive: boolean;
  notifyForOperation: { created: boolean; updated: boolean; deleted: boolean; undeleted: boolean };
  notifyForFields: NotifyForFields;
  /** Undefined when the query cannot be compiled: the topic then never fires. */
  query: PushTopicQuery | undefined;
}

/** Reads and caches the org's PushTopics. */
export class PushTopicRegistry {
  readonly #cache = new Map<string, PushTopicQuery | undefined>();

  constructor(
    private readonly records: RecordSource,
    private readonly schema: SchemaLookup,
    private readonly compile: CompileFilter,
  ) {}

  /** Every live (not deleted) PushTopic. */
  list(): PushTopicInfo[] {
    const topics: PushTopicInfo[] = [];
    for (const record of this.#scan()) topics.push(this.#toInfo(record));
    return topics;
  }

  /** The PushTopic named exactly `name`, if any. */
  find(name: string): PushTopicInfo | undefined {
    for (const record of this.#scan()) {
      if (record.values['Name'] === name) return this.#toInfo(record);
    }
    return undefined;
  }

  #scan(): Iterable<StoredRecord> {
    try {
      return this.records.scan('PushTopic', { includeDeleted: false });
    } catch {
      return []; // an org without the PushTopic object has no topics
    }
  }

  #toInfo(record: StoredRecord): PushTopicInfo {
    const v = record.values;
    const soql = typeof v['Query'] === 'string' ? v['Query'] : '';
    return {
      id: record.id,
      name: typeof v['Name'] === 'string' ? v['Name'] : '',
      apiVersion: Number(v['ApiVersion'] ?? 0) || 0,
      isActive: flag(v, 'IsActive'),
      notifyForOperation: {
        created: flag(v, 'NotifyForOperationCreate'),
        updated: flag(v, 'NotifyForOperationUpdate'),
        deleted: flag(v, 'NotifyForOperationDelete'),
        undeleted: flag(v, 'NotifyForOperationUndelete'),
      },
      notifyForFields: notifyForFieldsOf(v['NotifyForFields']),
      query: this.#compiled(record.id, soql),
    };
  }

  #compiled(id: string, soql: string): PushTopicQuery | undefined {
    const key = `${id}\u0000${soql}`;
    if (!this.#cache.has(key)) {
      if (this.#cache.size > 1000) this.#cache.clear();
      this.#cache.set(key, parsePushTopicQuery(soql, this.schema, this.compile));
    }
    return this.#cache.get(key);
  }
}

/** Booleans default to true when unset (Salesforce's default for these fields). */
function flag(values: Readonly<SfRecord>, name: string): boolean {
  return values[name] !== false;
}

function notifyForFieldsOf(value: unknown): NotifyForFields {
  return value === 'All' || value === 'Select' || value === 'Where' ? value : 'Referenced';
}
