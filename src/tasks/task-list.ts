/**
 * sfsync's graphile-worker task list. Exported so a host application can run
 * sfsync's tasks in its own worker:
 *
 * @example
 * import { run } from 'graphile-worker';
 * import { createTaskList } from 'sfsync';
 * await run({ pgPool, taskList: createTaskList(context) });
 */
import type { JobHelpers, TaskList } from 'graphile-worker';
import type { EngineContext } from '../runtime/engine-context.js';
import { tasks } from './all-tasks.js';
import type { TaskName, TaskPayloads } from './payloads.js';

/** A task's implementation with its payload typed and the engine context given. */
export type SfsyncTask<N extends TaskName> = (payload: TaskPayloads[N], helpers: JobHelpers, context: EngineContext) => Promise<void>;

/** The graphile-worker TaskList bound to `context`. */
export function createTaskList(context: EngineContext): TaskList {
  const list: TaskList = {};
  for (const [name, task] of Object.entries(tasks)) {
    list[name] = (payload, helpers) => (task as SfsyncTask<TaskName>)(payload as never, helpers, context);
  }
  return list;
}
