/**
 * Every sfsync task by identifier. One line per task file; each file exports
 * one `SfsyncTask` and nothing else runs at import.
 */
import type { SfsyncTask } from '../jobs/context.js';
import type { TaskName } from '../jobs/payloads.js';

/** The task implementations, keyed by `sfsync:<name>`. */
export const tasks: { [N in TaskName]?: SfsyncTask<N> } = {};
import { poll } from './poll.js';
import { drift } from './drift.js';
import { reload } from './reload.js';
import { push } from './push.js';
tasks['sfsync:poll'] = poll;
tasks['sfsync:drift'] = drift;
tasks['sfsync:reload'] = reload;
tasks['sfsync:push'] = push;
import { reconcile } from './reconcile.js';
tasks['sfsync:reconcile'] = reconcile;
import { pruneOutbox } from './prune-outbox.js';
import { pruneFeed } from './prune-feed.js';
tasks['sfsync:prune-outbox'] = pruneOutbox;
tasks['sfsync:prune-feed'] = pruneFeed;
import { fetchRecords } from './fetch-records.js';
tasks['sfsync:fetch-records'] = fetchRecords;
