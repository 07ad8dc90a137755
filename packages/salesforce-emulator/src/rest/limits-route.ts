/**
 * `GET /limits`: the org's limits with DailyApiRequests driven by the real
 * counter (the rest are static, plausible Developer Edition figures).
 */
import type { Org } from '../org/org.js';
import type { RestReply } from './rest-types.js';

function limit(max: number, used = 0): { Max: number; Remaining: number } {
  return { Max: max, Remaining: Math.max(0, max - used) };
}

/** GET /limits */
export function limits(org: Org): RestReply {
  const api = org.controls.dailyApiLimit;
  return {
    status: 200,
    body: {
      ConcurrentAsyncGetReportInstances: limit(200),
      ConcurrentSyncReportRuns: limit(20),
      DailyApiRequests: limit(api, org.apiUsage),
      DailyAsyncApexExecutions: limit(250000),
      DailyBulkApiBatches: limit(15000),
      DailyBulkV2QueryFileStorageMB: limit(976562),
      DailyBulkV2QueryJobs: limit(10000),
      DailyDurableGenericStreamingApiEvents: limit(10000),
      DailyDurableStreamingApiEvents: limit(10000),
      DailyGenericStreamingApiEvents: limit(10000),
      DailyStandardVolumePlatformEvents: limit(10000),
      DailyStreamingApiEvents: limit(10000),
      DataStorageMB: limit(5),
      FileStorageMB: limit(20),
      HourlyPublishedPlatformEvents: limit(50000),
      HourlyPublishedStandardVolumePlatformEvents: limit(1000),
      MonthlyPlatformEventsUsageEntitlement: limit(0),
      SingleEmailMessages: limit(15),
      StreamingApiConcurrentClients: limit(20),
    },
  };
}
