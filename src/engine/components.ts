/**
 * The long-running parts `sfsync start` runs beside the worker, in start order.
 * One line per component module.
 */
import type { EngineComponent } from '../jobs/context.js';
import { metricsServer } from './metrics-server.js';
import { pollScheduler } from './poll-scheduler.js';
import { streamSubscriber } from './stream-subscriber.js';
import { outboxListener } from './outbox-listener.js';
import { apiBudget } from './api-budget.js';

/** Every component, started in order and stopped in reverse. */
export const components: EngineComponent[] = [metricsServer, apiBudget, pollScheduler, streamSubscriber, outboxListener];
