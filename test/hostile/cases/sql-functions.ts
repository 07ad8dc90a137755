/**
 * The sfsync SQL functions given arguments they cannot mean (docs/schema.md, Functions):
 * null or empty selections that used to mean "all", unknown mappings and
 * outbox ids, negative intervals, non-positive batches and limits. Each is
 * refused with a SQLSTATE and one line naming the fix, and changes nothing.
 *
 * Written for the world of hostile-world.ts: mapping 1 (Account, read_write)
 * has failed and successful outbox rows, mapping 2 (Contact) is read_only;
 * outbox ids are picked by state, never by number.
 */
import type { HostileCase } from '../hostile-case.js';

const FAILED = `(select array_agg(id) from sfsync.outbox where state = 'failed')`;
const SUCCEEDED = `(select array_agg(id) from sfsync.outbox where state = 'success')`;
const NOTHING = `(select array_agg(id) from sfsync.outbox where false)`;

/** The fix a refused selection of failed changes names. */
const SELECT_FAILED = /all_failed => true/;
const LIST_FAILED = /not failed changes.*sfsync\.failed_changes.*missing_ok => true/;
const NO_MAPPING_ID = /no mapping with id -?\d+; take the id from sfsync\.mapping_status/;

function sql(name: string, statement: string, sqlstate: string, message: RegExp): HostileCase {
  return { name, sql: statement, sqlstate, message };
}

export const sqlFunctionCases: HostileCase[] = [
  // retry_failed: null never means "all"; ids must be failed changes.
  sql('retry_failed with no selector', 'select sfsync.retry_failed()', '22004', SELECT_FAILED),
  sql('retry_failed(null)', 'select sfsync.retry_failed(null)', '22004', SELECT_FAILED),
  sql('retry_failed(null, null)', 'select sfsync.retry_failed(null, null)', '22004', SELECT_FAILED),
  sql('retry_failed with an empty id array', `select sfsync.retry_failed(null, '{}')`, '22023', SELECT_FAILED),
  sql('retry_failed with the ids of a query that found nothing', `select sfsync.retry_failed(null, ${NOTHING})`, '22004', SELECT_FAILED),
  sql('retry_failed with all_failed => null', 'select sfsync.retry_failed(all_failed => null)', '22004', SELECT_FAILED),
  sql('retry_failed of an unknown mapping id', 'select sfsync.retry_failed(999)', 'P0002', NO_MAPPING_ID),
  sql('retry_failed of a negative mapping id', 'select sfsync.retry_failed(-1)', 'P0002', NO_MAPPING_ID),
  sql('retry_failed of an outbox id that does not exist', `select sfsync.retry_failed(null, '{999999}')`, 'P0002', LIST_FAILED),
  sql('retry_failed of changes that succeeded', `select sfsync.retry_failed(null, ${SUCCEEDED})`, 'P0002', LIST_FAILED),
  sql(
    'retry_failed of failed and succeeded changes together',
    'select sfsync.retry_failed(null, (select array_agg(id) from sfsync.outbox))',
    'P0002',
    LIST_FAILED,
  ),
  sql("retry_failed of mapping 1's failed changes under mapping 2", `select sfsync.retry_failed(2, ${FAILED})`, 'P0002', /not failed changes of mapping 2/),
  sql(
    'retry_failed with a null among the ids',
    'select sfsync.retry_failed(null, array[null]::bigint[])',
    '22004',
    /holds a null; pass only ids of failed changes/,
  ),
  sql('retry_failed of a mapping and all_failed => true', 'select sfsync.retry_failed(1, all_failed => true)', '22023', /pass it alone/),

  // discard_failed: the same selection, and discarding is not undone.
  sql('discard_failed with no selector', 'select sfsync.discard_failed()', '22004', SELECT_FAILED),
  sql('discard_failed with an empty id array', `select sfsync.discard_failed(null, '{}')`, '22023', SELECT_FAILED),
  sql('discard_failed with the ids of a query that found nothing', `select sfsync.discard_failed(null, ${NOTHING})`, '22004', SELECT_FAILED),
  sql('discard_failed of a mapping with an empty id array', `select sfsync.discard_failed(1, '{}')`, '22023', SELECT_FAILED),
  sql('discard_failed of an unknown mapping id', 'select sfsync.discard_failed(999)', 'P0002', NO_MAPPING_ID),
  sql('discard_failed of an outbox id that does not exist', `select sfsync.discard_failed(null, '{999999}')`, 'P0002', LIST_FAILED),
  sql('discard_failed of changes that succeeded', `select sfsync.discard_failed(null, ${SUCCEEDED})`, 'P0002', LIST_FAILED),
  sql('discard_failed of ids and all_failed => true', `select sfsync.discard_failed(null, ${FAILED}, all_failed => true)`, '22023', /pass it alone/),

  // prune_outbox: a negative keep pruned everything, a batch of 0 (or null) never finished.
  sql('prune_outbox keeping a negative interval', `select sfsync.prune_outbox('-1 day')`, '22023', /negative.*e\.g\. '7 days'/),
  sql('prune_outbox keeping an interval negative in total', `select sfsync.prune_outbox('1 day -25 hours')`, '22023', /negative.*e\.g\. '7 days'/),
  sql('prune_outbox keeping null', 'select sfsync.prune_outbox(null)', '22004', /p_keep is null; pass how long to keep/),
  sql('prune_outbox in batches of 0', `select sfsync.prune_outbox('1 day', 0)`, '22023', /pass rows per batch, e\.g\. 10000/),
  sql('prune_outbox in negative batches', `select sfsync.prune_outbox('1 day', -5)`, '22023', /pass rows per batch, e\.g\. 10000/),
  sql('prune_outbox in batches of null', `select sfsync.prune_outbox('1 day', null)`, '22004', /pass rows per batch, e\.g\. 10000/),

  // recover_outbox: a lease of 0 or less took back changes still being sent.
  sql('recover_outbox with a lease of 0', `select sfsync.recover_outbox(1, '0')`, '22023', /sent twice.*pass a positive interval/),
  sql('recover_outbox with a negative lease', `select sfsync.recover_outbox(1, '-10 minutes')`, '22023', /sent twice.*pass a positive interval/),
  sql('recover_outbox with a null lease', 'select sfsync.recover_outbox(1, null)', '22004', /pass a positive interval/),
  sql('recover_outbox of an unknown mapping id', 'select sfsync.recover_outbox(999)', 'P0002', NO_MAPPING_ID),
  sql('recover_outbox of a null mapping id', 'select sfsync.recover_outbox(null)', '22004', /pass a mapping id from sfsync\.mapping_status/),

  // claim_outbox: a limit of 0, a negative or null one, an anonymous claimer.
  sql('claim_outbox of 0 records', `select * from sfsync.claim_outbox(1, 'operator', 0)`, '22023', /pass how many records to claim/),
  sql('claim_outbox of a negative number of records', `select * from sfsync.claim_outbox(1, 'operator', -1)`, '22023', /pass how many records to claim/),
  sql('claim_outbox of null records', `select * from sfsync.claim_outbox(1, 'operator', null)`, '22004', /pass how many records to claim/),
  sql('claim_outbox by a null claimer', 'select * from sfsync.claim_outbox(1, null, 10)', '22004', /name the claimer/),
  sql('claim_outbox by an empty claimer', `select * from sfsync.claim_outbox(1, '', 10)`, '22023', /name the claimer/),
  sql('claim_outbox of an unknown mapping id', `select * from sfsync.claim_outbox(999, 'operator', 10)`, 'P0002', NO_MAPPING_ID),
  sql('claim_outbox of a null mapping id', `select * from sfsync.claim_outbox(null, 'operator', 10)`, '22004', /pass a mapping id from sfsync\.mapping_status/),

  // pause / resume: null paused (resumed) every mapping.
  sql('pause with no mapping', 'select sfsync.pause()', '22004', /all_mappings => true to pause every mapping/),
  sql('pause(null)', 'select sfsync.pause(null)', '22004', /all_mappings => true to pause every mapping/),
  sql('pause of a name a query did not find', 'select sfsync.pause((select sobject from sfsync.mappings where false))', '22004', /all_mappings => true/),
  sql(
    'pause of a mapping and all_mappings => true',
    `select sfsync.pause('Account', all_mappings => true)`,
    '22023',
    /a mapping or all_mappings => true, not both/,
  ),
  sql('resume with no mapping', 'select sfsync.resume()', '22004', /all_mappings => true to resume every mapping/),
  sql('resume(null)', 'select sfsync.resume(null)', '22004', /all_mappings => true to resume every mapping/),

  // Mapping names and ids.
  sql('resolve_mapping(null)', 'select sfsync.resolve_mapping(null)', '22004', /Mapping name is null; name one by id, Salesforce object or schema\.table/),
  sql('request_reload(null)', 'select sfsync.request_reload(null)', '22004', /Mapping name is null; name one by id/),
  sql('request_reconcile(null)', 'select sfsync.request_reconcile(null)', '22004', /Mapping name is null; name one by id/),
  sql('remove_mapping of an unknown id', 'select sfsync.remove_mapping(999)', 'P0002', NO_MAPPING_ID),
  sql('remove_mapping(null)', 'select sfsync.remove_mapping(null)', '22004', /pass a mapping id from sfsync\.mapping_status/),

  // The CLI passes what it is given to retry_failed/discard_failed by id.
  {
    name: 'errors retry --id of a change that does not exist',
    cli: ['errors', 'retry', '--id', '999999'],
    exit: 1,
    message: /outbox ids \{999999\} are not failed changes.*`sfsync errors`.*\[SQLSTATE P0002\]/,
  },
  {
    name: 'errors discard --id of a change that does not exist',
    cli: ['errors', 'discard', '--id', '999999'],
    exit: 1,
    message: /outbox ids \{999999\} are not failed changes.*`sfsync errors`.*\[SQLSTATE P0002\]/,
  },
];
