/**
 * Test-only workflow: runs one session activity by name with the given activity options (retry policy, timeouts),
 * so tests see real Temporal retries, `nextRetryDelay` and heartbeats around our activities.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';

type AnyActivity = (...args: unknown[]) => Promise<unknown>;

export async function runSessionActivity(name: string, options: ActivityOptions, args: unknown[]): Promise<unknown> {
  const activities = proxyActivities<Record<string, AnyActivity>>(options);
  const activity = activities[name];
  if (activity === undefined) throw new Error(`no activity ${name}`);
  return activity(...args);
}
