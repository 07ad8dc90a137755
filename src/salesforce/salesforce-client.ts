/**
 * The SalesforceClient seam: everything the engine asks of Salesforce, in one
 * small interface, so tasks never touch jsforce directly. The one named
 * implementation, `JsforceSalesforceClient`, talks HTTP (to Salesforce or to
 * sfsync's emulator); tests reach Salesforce only through the emulator.
 */

/** One field as describe reports it (the subset sfsync uses). */
export interface DescribedField {
  name: string;
  type: string;
  length: number;
  precision: number;
  scale: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  externalId: boolean;
  unique: boolean;
  calculated: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** For address/location components: the compound field they belong to. */
  compoundFieldName: string | null;
  /** The object's name field (Account.Name, Contact.Name …); absent means false. */
  nameField?: boolean;
}

/** An object as describe reports it (the subset sfsync uses). */
export interface DescribedObject {
  name: string;
  keyPrefix: string | null;
  queryable: boolean;
  replicateable: boolean;
  fields: DescribedField[];
}

/** The result of writing one record (Collections or Bulk), in input order. */
export type RecordResult =
  { success: true; id: string; created?: boolean } | { success: false; id?: string; errors: Array<{ statusCode: string; message: string; fields: string[] }> };

/** Records as jsforce returns them: field values by API name (`attributes` removed). */
export type SfRow = Record<string, unknown>;

/** One insert of a composite graph: its reference id (unique in the graph), object and body. */
export interface GraphNode {
  referenceId: string;
  sobject: string;
  body: SfRow;
}

/** One graph: its id (unique in the request) and nodes in order. */
export interface Graph {
  graphId: string;
  nodes: GraphNode[];
}

/** A graph's outcome: whether it committed, and each node's result in node order. */
export interface GraphResult {
  graphId: string;
  isSuccessful: boolean;
  results: RecordResult[];
}

/** Options of a query. */
export interface QueryOptions {
  /** queryAll: include deleted (IsDeleted = true) records. */
  includeDeleted: boolean;
}

/** The last `Sforce-Limit-Info` seen: API requests used today and the daily maximum. */
export interface ApiUsage {
  used: number;
  max: number;
}

/** Everything the engine asks of one Salesforce org. */
export interface SalesforceClient {
  readonly apiVersion: string;
  /** API calls this client has made (each HTTP request Salesforce counts). */
  readonly callCount: number;
  /** The latest API usage Salesforce reported, if any call was made. */
  apiUsage(): ApiUsage | undefined;
  /** One call to `/limits` to learn the usage anew (the API governor's probe while it spends nothing else). */
  probeApiUsage(): Promise<ApiUsage | undefined>;
  /** The current session, for the streaming client (and refresh it when `refresh`); `orgId` when the login told it (the Pub/Sub API's `tenantid`). */
  session(options?: { refresh?: boolean }): Promise<{ accessToken: string; instanceUrl: string; orgId?: string }>;

  /** Describe an object (cached per client). Unknown object: SfsyncError SF_UNKNOWN_OBJECT. */
  describe(sobject: string): Promise<DescribedObject>;

  /** sObject Collections create (≤ 200 records, allOrNone false). */
  create(sobject: string, records: SfRow[]): Promise<RecordResult[]>;
  /** sObject Collections update (≤ 200 records, each with `Id`). */
  update(sobject: string, records: SfRow[]): Promise<RecordResult[]>;
  /** sObject Collections upsert on an External ID field (≤ 200 records). */
  upsert(sobject: string, externalIdField: string, records: SfRow[]): Promise<RecordResult[]>;
  /** sObject Collections delete (≤ 200 ids). */
  destroy(ids: string[]): Promise<RecordResult[]>;
  /** Composite Graph inserts (composite-graph.ts: ≤ 75 graphs, ≤ 500 nodes), each graph all or nothing; results in graph order. */
  compositeGraph(graphs: Graph[]): Promise<GraphResult[]>;
  /** Bulk API 2.0 ingest; results in input order. */
  bulkIngest(
    sobject: string,
    operation: 'insert' | 'update' | 'upsert' | 'delete',
    records: SfRow[],
    options?: { externalIdField?: string },
  ): Promise<RecordResult[]>;

  /** REST query/queryAll, page by page (up to 2000 rows each). */
  queryPages(soql: string, options: QueryOptions): AsyncIterable<SfRow[]>;
  /** `SELECT COUNT() …`: the number of matching records. */
  count(soql: string, options: QueryOptions): Promise<number>;
  /** Bulk API 2.0 query, paging results by locator ourselves (jsforce's bulk2.query breaks on page 2). Values are CSV strings, '' for null. */
  bulkQueryPages(soql: string, options: QueryOptions): AsyncIterable<Array<Record<string, string>>>;
  /** The same query's pages as CSV text, header row included (the initial load reads rows straight into COPY text: load-rows.ts). */
  bulkQueryCsv(soql: string, options: QueryOptions & { maxRecords?: number }): AsyncIterable<string>;
}
