/**
 * sfsync's graphile-worker task list. Exported so a host application can run
 * sfsync's tasks in its own worker:
 *
 * @example
 * import { run } from 'graphile-worker';
 * import { createTaskList } from 'sfsync';
 * await run({ pgPool, taskList: createTaskList(context) });
 */
import type { TaskList } from 'graphile-worker';
import { isSfsyncError } from '../errors.js';
import type { EngineContext, SfsyncTask } from '../jobs/context.js';
import { tasks } from './all-tasks.js';
import type { TaskName } from '../jobs/payloads.js';

/** The graphile-worker TaskList bound to `context`. */
export function createTaskList(context: EngineContext): TaskList {
  const list: TaskList = {};
  for (const [name, task] of Object.entries(tasks)) {
    list[name] = async (payload, helpers) => {
      try {
        await (task as SfsyncTask<TaskName>)(payload as never, helpers, context);
      } catch (error) {
        // A job queued before its mapping was removed (`sfsync unmap`, remove_mapping) has nothing left to do: it ends, not fails.
        if (!isSfsyncError(error, 'UNKNOWN_MAPPING')) throw error;
        context.logger.debug({ task: name, err: error }, 'job of a removed mapping ended');
      }
    };
  }
  return list;
}
