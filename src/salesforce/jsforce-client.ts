/**
 * `JsforceSalesforceClient`: the SalesforceClient over jsforce 3 (HTTP to
 * Salesforce or to sfsync's emulator). Writes go through sObject Collections
 * (collections.ts) and Bulk API 2.0 ingest (bulk-ingest.ts); queries through
 * query-pages.ts and bulk-query.ts. Every HTTP request jsforce sends (REST,
 * Bulk, retries, token refreshes) passes through the connection's transport,
 * which is wrapped once here to count calls.
 */
import type { Connection } from 'jsforce';
import { SfsyncError } from '../errors.js';
import { bulkIngestRecords } from './bulk-ingest.js';
import { bulkQueryCsv, bulkQueryPages } from './bulk-query.js';
import { sendGraphs } from './composite-graph.js';
import { createRecords, destroyRecords, updateRecords, upsertRecords } from './collections.js';
import { countQuery, queryPages } from './query-pages.js';
import type {
  ApiUsage,
  DescribedField,
  Graph,
  GraphResult,
  DescribedObject,
  QueryOptions,
  RecordResult,
  SalesforceClient,
  SfRow,
} from './salesforce-client.js';

interface Transport {
  httpRequest(...args: unknown[]): unknown;
}

/** The jsforce-backed SalesforceClient. */
export class JsforceSalesforceClient implements SalesforceClient {
  private calls = 0;
  private readonly describes = new Map<string, Promise<DescribedObject>>();

  constructor(readonly conn: Connection) {
    const transport = (conn as unknown as { _transport: Transport })._transport;
    const original = transport.httpRequest.bind(transport);
    transport.httpRequest = (...args: unknown[]) => {
      this.calls++;
      return original(...args);
    };
  }

  get apiVersion(): string {
    return this.conn.version;
  }

  /** HTTP requests sent through this client's connection since it was created. */
  get callCount(): number {
    return this.calls;
  }

  /** The last `Sforce-Limit-Info: api-usage=used/max` jsforce saw. */
  apiUsage(): ApiUsage | undefined {
    const usage = this.conn.limitInfo?.apiUsage;
    return usage ? { used: usage.used, max: usage.limit } : undefined;
  }

  /** One `/limits` call; its Sforce-Limit-Info (or, failing that, its DailyApiRequests) is the usage. */
  async probeApiUsage(): Promise<ApiUsage | undefined> {
    this.calls++;
    const limits = (await this.conn.limits()) as unknown as Record<string, { Max: number; Remaining: number } | undefined>;
    const daily = limits.DailyApiRequests;
    return this.apiUsage() ?? (daily ? { used: daily.Max - daily.Remaining, max: daily.Max } : undefined);
  }

  /** The access token and instance URL; `refresh` forces a new session first (expired token seen by the streaming client). */
  async session(options: { refresh?: boolean } = {}): Promise<{ accessToken: string; instanceUrl: string; orgId?: string }> {
    const delegate = (this.conn as unknown as { _refreshDelegate?: { refresh(since: number): Promise<void> } })._refreshDelegate;
    if (options.refresh && delegate) await delegate.refresh(Date.now());
    if (!this.conn.accessToken) throw new SfsyncError('SF_NO_SESSION', 'The Salesforce connection has no session; check the credentials and SFSYNC_LOGIN_URL.');
    const orgId = this.conn.userInfo?.organizationId;
    return { accessToken: this.conn.accessToken, instanceUrl: this.conn.instanceUrl, ...(orgId ? { orgId } : {}) };
  }

  /** Describe an object, cached for the client's life (a failed describe is not cached). */
  describe(sobject: string): Promise<DescribedObject> {
    const key = sobject.toLowerCase();
    let cached = this.describes.get(key);
    if (!cached) {
      cached = this.fetchDescribe(sobject);
      this.describes.set(key, cached);
      cached.catch(() => this.describes.delete(key));
    }
    return cached;
  }

  /** Forget cached describes (the read path re-reads describe to notice removed fields). */
  forgetDescribes(): void {
    this.describes.clear();
  }

  private async fetchDescribe(sobject: string): Promise<DescribedObject> {
    try {
      const d = await this.conn.request<{
        name: string;
        keyPrefix: string | null;
        queryable: boolean;
        replicateable: boolean;
        fields: Array<Record<string, unknown>>;
      }>(`/services/data/v${this.conn.version}/sobjects/${encodeURIComponent(sobject)}/describe`);
      return { name: d.name, keyPrefix: d.keyPrefix, queryable: d.queryable, replicateable: d.replicateable, fields: d.fields.map(toDescribedField) };
    } catch (error) {
      const name = (error as { errorCode?: string; name?: string }).errorCode ?? (error as Error).name;
      if (name === 'NOT_FOUND' || name === 'INVALID_TYPE' || name === 'ERROR_HTTP_404') {
        throw new SfsyncError(
          'SF_UNKNOWN_OBJECT',
          `Salesforce has no object ${sobject} (or this user cannot see it); check the API name (custom objects end in __c) and the user's permissions.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  create(sobject: string, records: SfRow[]): Promise<RecordResult[]> {
    return createRecords(this.conn, sobject, records);
  }
  update(sobject: string, records: SfRow[]): Promise<RecordResult[]> {
    return updateRecords(this.conn, sobject, records);
  }
  upsert(sobject: string, externalIdField: string, records: SfRow[]): Promise<RecordResult[]> {
    return upsertRecords(this.conn, sobject, externalIdField, records);
  }
  destroy(ids: string[]): Promise<RecordResult[]> {
    return destroyRecords(this.conn, ids);
  }
  compositeGraph(graphs: Graph[]): Promise<GraphResult[]> {
    return sendGraphs(this.conn, graphs);
  }
  bulkIngest(
    sobject: string,
    operation: 'insert' | 'update' | 'upsert' | 'delete',
    records: SfRow[],
    options?: { externalIdField?: string },
  ): Promise<RecordResult[]> {
    return bulkIngestRecords(this.conn, sobject, operation, records, options);
  }
  queryPages(soql: string, options: QueryOptions): AsyncIterable<SfRow[]> {
    return queryPages(this.conn, soql, options);
  }
  count(soql: string, options: QueryOptions): Promise<number> {
    return countQuery(this.conn, soql, options);
  }
  bulkQueryPages(soql: string, options: QueryOptions): AsyncIterable<Array<Record<string, string>>> {
    return bulkQueryPages(this.conn, soql, options);
  }
  bulkQueryCsv(soql: string, options: QueryOptions & { maxRecords?: number }): AsyncIterable<string> {
    return bulkQueryCsv(this.conn, soql, options);
  }
}

function toDescribedField(f: Record<string, unknown>): DescribedField {
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    name: String(f.name),
    type: String(f.type),
    length: num(f.length),
    precision: num(f.precision) || num(f.digits),
    scale: num(f.scale),
    nillable: f.nillable === true,
    createable: f.createable === true,
    updateable: f.updateable === true,
    externalId: f.externalId === true,
    unique: f.unique === true,
    calculated: f.calculated === true,
    referenceTo: Array.isArray(f.referenceTo) ? f.referenceTo.map(String) : [],
    relationshipName: typeof f.relationshipName === 'string' ? f.relationshipName : null,
    compoundFieldName: typeof f.compoundFieldName === 'string' ? f.compoundFieldName : null,
    nameField: f.nameField === true,
  };
}
