/**
 * Hostile mappings: names, fields, filters, intervals and options given to
 * `sfsync map`, `unmap`, `import`, `reload`, `pause` and `resume`, mapping
 * rows written from SQL, and values the mapped tables refuse.
 */
import type { HostileCase } from '../hostile-case.js';

const map = (...args: string[]) => ['map', ...args];
const contact = (...args: string[]) => map('Contact', '--fields', 'LastName', ...args);
const longFilter = `LastName = '${'x'.repeat(4100)}'`;

/** An `sfsync import` file of the given mappings (sfsync export format). */
const importFile = (...mappings: object[]) => JSON.stringify({ sfsync: 1, mappings });

export const mappingCases: HostileCase[] = [
  // Fields and objects
  { name: 'map without --fields', cli: map('Contact'), message: /Name the fields to sync with --fields/ },
  { name: 'map with an empty --fields', cli: map('Contact', '--fields', ','), message: /fields: name at least one field/ },
  { name: 'map with a field name holding a space', cli: map('Contact', '--fields', 'Last Name'), message: /fields\.0.*Salesforce API name/ },
  { name: 'map with a field name holding a quote', cli: map('Contact', '--fields', 'LastName"--'), message: /Salesforce API name/ },
  {
    name: 'map with a field the object lacks',
    cli: map('Contact', '--fields', 'LastName,Nope__c'),
    message: /Contact has no field Nope__c; check the spelling/,
  },
  {
    name: 'map with Id alone (the engine re-applied it forever)',
    cli: map('Lead', '--fields', 'Id'),
    message: /no field to sync besides Id.*add another field to --fields/,
  },
  { name: 'map with implicit fields alone', cli: map('Lead', '--fields', 'Id,SystemModstamp,IsDeleted'), message: /no field to sync/ },
  { name: 'map an object Salesforce lacks', cli: map('Nope__c', '--fields', 'Name'), message: /Salesforce has no object Nope__c/ },
  { name: 'map an object name holding a quote', cli: map('Acc"ount', '--fields', 'Name'), message: /sobject.*Salesforce API name/ },
  { name: 'map an object name of 81 characters', cli: map(`A${'b'.repeat(80)}`, '--fields', 'Name'), message: /sobject.*≤ 80 characters/ },
  { name: 'map with a mode that does not exist', cli: contact('--mode', 'both'), message: /mode.*read_only.*read_write/ },
  { name: 'map with a conflict policy that does not exist', cli: contact('--conflict-policy', 'random'), message: /conflictPolicy.*salesforce_wins/ },
  { name: 'map with a streaming kind that does not exist', cli: contact('--streaming', 'sometimes'), message: /streaming.*auto/ },
  { name: 'map with a delete mode that does not exist', cli: contact('--delete-mode', 'shred'), message: /deleteMode.*delete.*mark/ },
  {
    name: 'map with an External ID field that is not one',
    cli: map('Account', '--fields', 'Name', '--external-id', 'Phone'),
    message: /Account\.Phone is not an External ID field; mark it External ID/,
  },
  {
    name: 'map with an External ID field the object lacks',
    cli: map('Account', '--fields', 'Name', '--external-id', 'Nope__c'),
    message: /has no field Nope__c for externalIdField/,
  },
  { name: 'map on a connection that does not exist', cli: contact('--connection', 'nope'), message: /No connection named "nope".*check --connection/ },
  // Tables and schemas
  {
    name: 'map into sfsync.outbox (its trigger recursed every insert)',
    cli: contact('--schema', 'sfsync', '--table', 'outbox'),
    message: /belongs to sfsync, graphile-worker or Postgres; map into another schema/,
  },
  { name: 'map into sfsync.mappings', cli: contact('--schema', 'sfsync', '--table', 'mappings'), message: /belongs to sfsync/ },
  {
    name: 'map into graphile_worker',
    cli: contact('--schema', 'graphile_worker', '--table', 'jobs'),
    message: /belongs to sfsync, graphile-worker or Postgres/,
  },
  { name: 'map into pg_catalog', cli: contact('--schema', 'pg_catalog'), message: /belongs to sfsync, graphile-worker or Postgres/ },
  { name: 'map into pg_temp', cli: contact('--schema', 'pg_temp'), message: /belongs to sfsync, graphile-worker or Postgres/ },
  { name: 'map into information_schema', cli: contact('--schema', 'information_schema'), message: /belongs to sfsync, graphile-worker or Postgres/ },
  { name: 'map into an upper-case schema', cli: contact('--schema', 'Public'), message: /schema must be lower-case/ },
  { name: 'map into a schema name with a quote', cli: contact('--schema', 'a"b'), message: /schema must be lower-case/ },
  { name: 'map into a table name with a dot', cli: contact('--table', 'a.b'), message: /table must be lower-case/ },
  { name: 'map into a table name of 41 bytes', cli: contact('--table', 't'.repeat(41)), message: /table must be .*≤ 40 bytes/ },
  {
    name: 'map an object whose derived table name is too long',
    cli: map(`A${'b'.repeat(45)}`, '--fields', 'Name'),
    message: /longer than 40 bytes; pass a shorter table name/,
  },
  {
    name: 'map a second object onto a mapped table',
    cli: map('Lead', '--fields', 'LastName', '--table', 'account'),
    message: /already (belongs to another mapping|maps Account); remove that mapping first or choose another table/,
  },
  // Filters
  { name: 'filter with an unbalanced quote', cli: contact('--filter', "LastName = 'a"), message: /row filter .* is not a SOQL WHERE expression/ },
  { name: 'filter that closes a parenthesis it did not open', cli: contact('--filter', ') OR (1=1'), message: /is not a SOQL WHERE expression/ },
  {
    name: 'filter that breaks out of its parentheses',
    cli: contact('--filter', "LastName = 'zzz') OR (Id != null"),
    message: /is not a SOQL WHERE expression/,
  },
  { name: 'filter carrying a LIMIT', cli: contact('--filter', "LastName = 'x' LIMIT 5"), message: /carries a limit clause; a filter is only the condition/ },
  { name: 'filter carrying an ORDER BY', cli: contact('--filter', "LastName = 'x' ORDER BY LastName"), message: /carries a orderBy clause/ },
  { name: 'filter with a sub-query', cli: contact('--filter', 'Id IN (SELECT ContactId FROM Case)'), message: /contains a sub-query/ },
  { name: 'filter on a field the object lacks', cli: contact('--filter', 'Nope__c = 1'), message: /reads Nope__c, which Contact does not have/ },
  {
    name: 'filter through a relationship the object lacks',
    cli: contact('--filter', "Nobody.Name = 'x'"),
    message: /reads Nobody\.Name, which Contact does not have/,
  },
  { name: 'filter that is empty', cli: contact('--filter', ''), message: /is empty; omit --filter/ },
  { name: 'filter of spaces', cli: contact('--filter', '   '), message: /is empty; omit --filter/ },
  { name: 'filter with a second statement', cli: contact('--filter', "LastName = 'x'; DROP TABLE contact"), message: /is not a SOQL WHERE expression/ },
  { name: 'filter with a comment', cli: contact('--filter', "LastName = 'x' /* c */"), message: /is not a SOQL WHERE expression/ },
  { name: 'filter longer than 4000 characters', cli: contact('--filter', longFilter), message: /longer than 4000 characters; shorten it/ },
  // Intervals
  { name: 'poll interval of 0 seconds', cli: contact('--poll-interval', '0 seconds'), message: /pollInterval .*between 1 second and 1 day/ },
  { name: 'poll interval of 99999999999 days', cli: contact('--poll-interval', '99999999999 days'), message: /pollInterval .*looks like "30 seconds"/ },
  { name: 'poll interval that is a word', cli: contact('--poll-interval', 'soon'), message: /pollInterval .*looks like "30 seconds"/ },
  { name: 'poll interval of 2 days', cli: contact('--poll-interval', '2 days'), message: /between 1 second and 1 day/ },
  { name: 'negative drift delay', cli: contact('--drift-delay', '-5 minutes'), message: /driftDelay .*looks like "10 minutes"/ },
  { name: 'drift delay of 30 days', cli: contact('--drift-delay', '30 days'), message: /driftDelay .*between 0 seconds and 7 days/ },
  // Import files
  { name: 'import a file that does not exist', cli: ['import', '{dir}/nope.json'], message: /Cannot read .*nope\.json.*check the path/ },
  { name: 'import a file that is not JSON', cli: ['import', '{dir}/m.json'], files: { 'm.json': '{ mappings: ' }, message: /not valid JSON|JSON/ },
  {
    name: 'import a mapping into sfsync',
    cli: ['import', '{dir}/m.json'],
    files: { 'm.json': importFile({ sobject: 'Case', fields: ['Subject'], mode: 'read_write', schema: 'sfsync', table: 'outbox' }) },
    message: /belongs to sfsync/,
  },
  {
    name: 'import a mapping with a filter that breaks out',
    cli: ['import', '{dir}/m.json'],
    files: { 'm.json': importFile({ sobject: 'Lead', fields: ['LastName'], mode: 'read_only', rowFilter: "LastName = 'a') OR (Id != null" }) },
    message: /is not a SOQL WHERE expression/,
  },
  {
    name: 'import two mappings whose second is bad (none is applied)',
    cli: ['import', '{dir}/m.json'],
    files: {
      'm.json': importFile({ sobject: 'Lead', fields: ['LastName'], mode: 'read_only' }, { sobject: 'Opportunity', fields: ['Nope__c'], mode: 'read_only' }),
    },
    message: /Opportunity has no field Nope__c/,
  },
  // Commands naming a mapping
  { name: 'unmap a mapping that does not exist', cli: ['unmap', 'Nope'], message: /Nope/ },
  { name: 'unmap mapping id 999', cli: ['unmap', '999'], message: /999/ },
  { name: 'reload a mapping that does not exist', cli: ['reload', 'Nope'], message: /Nope/ },
  { name: 'pause a mapping that does not exist', cli: ['pause', 'Nope'], message: /Nope/ },
  { name: 'resume a mapping that does not exist', cli: ['resume', 'Nope'], message: /Nope/ },
  // Mapping rows and values from SQL
  {
    name: 'insert a mapping row into schema sfsync',
    sql: "insert into sfsync.mappings (connection_id, sobject, schema_name, table_name, fields, mode) values (1, 'Case', 'sfsync', 'outbox', '{Subject}', 'read_write')",
    sqlstate: '23514',
    message: /mappings_schema_not_reserved/,
  },
  {
    name: 'move a mapping row into graphile_worker',
    sql: "update sfsync.mappings set schema_name = 'graphile_worker' where id = 1",
    sqlstate: '23514',
    message: /mappings_schema_not_reserved/,
  },
  {
    name: 'insert a mapping row into pg_catalog',
    sql: "insert into sfsync.mappings (connection_id, sobject, schema_name, table_name, fields, mode) values (1, 'Case', 'pg_catalog', 'pg_class', '{Subject}', 'read_only')",
    sqlstate: '23514',
    message: /mappings_schema_not_reserved/,
  },
  {
    name: 'a value longer than its column',
    sql: `insert into salesforce.account (name) values ('${'x'.repeat(256)}')`,
    sqlstate: '22001',
    message: /value too long for type character varying\(255\)/,
  },
  { name: 'truncate a mapped table', sql: 'truncate salesforce.account', message: /TRUNCATE/i },
];
