/**
 * `JsforceSalesforceClient`: the SalesforceClient over jsforce 3 (HTTP to
 * Salesforce or to sfsync's emulator).
 *
 * SKELETON: the write path and read path fill in their methods.
 */
import type { Connection } from 'jsforce';
import { SfsyncError } from '../errors.js';
import type { ApiUsage, DescribedObject, QueryOptions, RecordResult, SalesforceClient, SfRow } from './salesforce-client.js';

function notYet(method: string): never {
  throw new SfsyncError('NOT_IMPLEMENTED', `SalesforceClient.${method} is not implemented yet.`);
}

/** The jsforce-backed SalesforceClient. */
export class JsforceSalesforceClient implements SalesforceClient {
  constructor(readonly conn: Connection) {}
  get apiVersion(): string {
    return this.conn.version;
  }
  get callCount(): number {
    return 0;
  }
  apiUsage(): ApiUsage | undefined {
    return undefined;
  }
  async session(): Promise<{ accessToken: string; instanceUrl: string }> {
    return notYet('session');
  }
  async describe(_sobject: string): Promise<DescribedObject> {
    return notYet('describe');
  }
  async create(_sobject: string, _records: SfRow[]): Promise<RecordResult[]> {
    return notYet('create');
  }
  async update(_sobject: string, _records: SfRow[]): Promise<RecordResult[]> {
    return notYet('update');
  }
  async upsert(_sobject: string, _externalIdField: string, _records: SfRow[]): Promise<RecordResult[]> {
    return notYet('upsert');
  }
  async destroy(_ids: string[]): Promise<RecordResult[]> {
    return notYet('destroy');
  }
  async bulkIngest(): Promise<RecordResult[]> {
    return notYet('bulkIngest');
  }
  // eslint-disable-next-line require-yield
  async *queryPages(_soql: string, _options: QueryOptions): AsyncIterable<SfRow[]> {
    return notYet('queryPages');
  }
  async count(_soql: string, _options: QueryOptions): Promise<number> {
    return notYet('count');
  }
  // eslint-disable-next-line require-yield
  async *bulkQueryPages(_soql: string, _options: QueryOptions): AsyncIterable<Array<Record<string, string>>> {
    return notYet('bulkQueryPages');
  }
}
