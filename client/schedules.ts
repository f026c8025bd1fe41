import type { Client, ScheduleDescription, ScheduleHandle, ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { UploadTarget } from '../contracts/targets';
import { TASK_QUEUE } from '../contracts/temporal';
import type { ReviewCycleInput, SweepInput } from '../contracts/triggers';

/**
 * Recurring runs. The upload window is two hours from the moment an instance enters Initializing, and a run needs
 * its safety margin (15 min) at the end, so:
 * - the review cycle runs every 15 minutes by default: an instance waits at most 15 min to be found, leaving it about
 *   1 h 30 to upload;
 * - overlap SKIP: a cycle still running when the next is due makes the next one pointless (children are keyed by
 *   instance; nothing would start twice anyway);
 * - catch-up window 1 hour: after an outage of the scheduler, one missed cycle still runs if it is less than an hour
 *   late (its instances may still be in their window); older ones are dropped, since their windows are over;
 * - the sweeper runs hourly, with the same overlap and catch-up policy.
 */
export const SCHEDULE_DEFAULTS = {
  cycleEvery: '15m',
  sweepEvery: '1h',
  catchupWindow: '1h',
  overlap: ScheduleOverlapPolicy.SKIP,
} as const;

export type ScheduleKind = 'cycle' | 'sweep';

export interface ReviewScheduleOptions {
  scheduleId: string;
  kind: ScheduleKind;
  targets: UploadTarget[];
  /** An interval such as 15m or 1h. */
  every?: string;
  taskQueue?: string;
  paused?: boolean;
  note?: string;
  triggerImmediately?: boolean;
  /** Sweeper only: sessions younger than this are left alone. */
  graceMinutes?: number;
}

function action(options: ReviewScheduleOptions): ScheduleOptionsStartWorkflowAction<Workflow> {
  const names = options.targets.map((t) => t.name).join(', ');
  const common = { type: 'startWorkflow' as const, taskQueue: options.taskQueue ?? TASK_QUEUE, workflowId: `${options.scheduleId}/run` };
  if (options.kind === 'cycle') {
    const input: ReviewCycleInput = { targets: options.targets };
    return { ...common, workflowType: 'reviewCycle', args: [input], staticSummary: `Review cycle: find review instances in Initializing (${names})` };
  }
  const input: SweepInput = { targets: options.targets, ...(options.graceMinutes !== undefined ? { graceMinutes: options.graceMinutes } : {}) };
  return { ...common, workflowType: 'sweepUploadSessions', args: [input], staticSummary: `Sweeper: end upload sessions left by unfinished runs (${names})` };
}

/** The interval: the kind's default unless one is given. */
function spec(options: ReviewScheduleOptions) {
  const every = options.every ?? (options.kind === 'cycle' ? SCHEDULE_DEFAULTS.cycleEvery : SCHEDULE_DEFAULTS.sweepEvery);
  return { intervals: [{ every: every as `${number}m` }] };
}

export async function createReviewSchedule(client: Client, options: ReviewScheduleOptions): Promise<ScheduleHandle> {
  return client.schedule.create({
    scheduleId: options.scheduleId,
    spec: spec(options),
    action: action(options),
    policies: { overlap: SCHEDULE_DEFAULTS.overlap, catchupWindow: SCHEDULE_DEFAULTS.catchupWindow },
    state: {
      paused: options.paused ?? false,
      note: options.note ?? `created by scripts/schedule.ts (${options.kind})`,
      triggerImmediately: options.triggerImmediately ?? false,
    },
  });
}

/** Replaces the schedule's targets and interval, keeping its state (paused or not) and history. */
export async function updateReviewSchedule(client: Client, options: ReviewScheduleOptions): Promise<void> {
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({
    ...previous,
    spec: spec(options),
    action: action(options),
  }));
}

/** A few lines a person reads: what, how often, paused or not, the last and next actions. */
export function describeSchedule(d: ScheduleDescription): string {
  const spec = d.spec.intervals?.map((i) => `every ${String(i.every)}`).join(', ') ?? '(no interval)';
  const recent = d.info.recentActions.slice(-3).map((a) => `  ${a.takenAt.toISOString()} -> ${a.action.workflow.workflowId}`);
  return [
    `${d.scheduleId}: ${d.action.type === 'startWorkflow' ? d.action.workflowType : d.action.type} ${spec}, ${d.state.paused ? 'PAUSED' : 'active'}${d.state.note ? ` (${d.state.note})` : ''}`,
    `  overlap ${d.policies.overlap}, catch-up window ${String(d.policies.catchupWindow)} ms, ${d.info.numActionsTaken} action(s) taken`,
    `  next: ${d.info.nextActionTimes.slice(0, 2).map((t) => t.toISOString()).join(', ') || '-'}`,
    ...(recent.length ? ['  recent:', ...recent] : []),
  ].join('\n');
}
