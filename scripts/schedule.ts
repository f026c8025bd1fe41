/**
 * Temporal Schedules for the review cycle and the sweeper (policies explained in client/schedules.ts and the README).
 *
 *   npm run schedule -- create  --kind cycle --targets examples/upload-targets.yaml [--id review-cycle] [--every 15m] [--paused] [--trigger-now]
 *   npm run schedule -- create  --kind sweep --targets FILE [--id upload-sweeper] [--every 1h] [--grace-minutes 10]
 *   npm run schedule -- update  --kind cycle --targets FILE [--id …] [--every …]   (re-reads the targets file)
 *   npm run schedule -- describe|pause|unpause|trigger|delete <id>    npm run schedule -- list
 */
import type { Client } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import type { ScheduleKind } from '../client/schedules';
import { createReviewSchedule, describeSchedule, updateReviewSchedule } from '../client/schedules';
import { loadUploadTargets } from '../client/targets';
import { withTemporalClient } from '../workers/temporal-connection';

const kind = (value: string): ScheduleKind => {
  if (value !== 'cycle' && value !== 'sweep') throw new InvalidArgumentError('cycle or sweep');
  return value;
};
const interval = (value: string): string => {
  if (!/^\d+(s|m|h)$/.test(value)) throw new InvalidArgumentError('an interval such as 15m or 1h');
  return value;
};
const minutes = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of minutes');
  return n;
};

interface WriteOptions {
  kind: ScheduleKind;
  targets: string;
  id?: string;
  every?: string;
  paused?: boolean;
  triggerNow?: boolean;
  graceMinutes?: number;
  taskQueue?: string;
}

async function scheduleOptions(opts: WriteOptions) {
  return {
    scheduleId: opts.id ?? (opts.kind === 'cycle' ? 'review-cycle' : 'upload-sweeper'),
    kind: opts.kind,
    targets: await loadUploadTargets(opts.targets),
    ...(opts.every ? { every: opts.every } : {}),
    ...(opts.paused ? { paused: true } : {}),
    ...(opts.triggerNow ? { triggerImmediately: true } : {}),
    ...(opts.graceMinutes !== undefined ? { graceMinutes: opts.graceMinutes } : {}),
    ...(opts.taskQueue ? { taskQueue: opts.taskQueue } : {}),
  };
}

const program = new Command('schedule').description('Temporal Schedules for the review cycle and the sweeper.').showHelpAfterError();

const writeCommand = (name: 'create' | 'update', description: string) =>
  program
    .command(name)
    .description(description)
    .requiredOption('--kind <kind>', 'cycle (start upload runs for instances in Initializing) or sweep (end orphaned sessions)', kind)
    .requiredOption('--targets <file>', 'upload targets file (YAML or JSON), e.g. examples/upload-targets.yaml')
    .option('--id <scheduleId>', 'schedule id (default review-cycle or upload-sweeper)')
    .option('--every <interval>', 'interval (default 15m for cycle, 1h for sweep)', interval)
    .option('--grace-minutes <n>', 'sweep: leave sessions younger than this alone (default 10)', minutes)
    .option('--task-queue <name>', 'task queue of the workers (default entra-review-upload)');

writeCommand('create', 'create a schedule')
  .option('--paused', 'create it paused')
  .option('--trigger-now', 'also run it once now')
  .action(async (opts: WriteOptions) => {
    const options = await scheduleOptions(opts);
    await withTemporalClient(async ({ client }) => {
      const handle = await createReviewSchedule(client, options);
      process.stdout.write(`${describeSchedule(await handle.describe())}\n`);
    });
  });

writeCommand('update', "replace a schedule's targets and interval (its state and history stay)").action(async (opts: WriteOptions) => {
  const options = await scheduleOptions(opts);
  await withTemporalClient(async ({ client }) => {
    await updateReviewSchedule(client, options);
    process.stdout.write(`${describeSchedule(await client.schedule.getHandle(options.scheduleId).describe())}\n`);
  });
});

program
  .command('list')
  .description('list schedules')
  .action(async () => {
    await withTemporalClient(async ({ client }) => {
      for await (const s of client.schedule.list()) {
        process.stdout.write(`${s.scheduleId}  ${s.action?.type === 'startWorkflow' ? s.action.workflowType : ''}  ${s.state.paused ? 'PAUSED' : 'active'}\n`);
      }
    });
  });

const simple: [string, string, (id: string, client: Client) => Promise<string>][] = [
  ['describe', 'show a schedule', async (id, client) => describeSchedule(await client.schedule.getHandle(id).describe())],
  ['pause', 'pause a schedule', async (id, client) => (await client.schedule.getHandle(id).pause('paused with scripts/schedule.ts'), `paused ${id}`)],
  ['unpause', 'unpause a schedule', async (id, client) => (await client.schedule.getHandle(id).unpause('unpaused with scripts/schedule.ts'), `unpaused ${id}`)],
  ['trigger', 'run a schedule once now', async (id, client) => (await client.schedule.getHandle(id).trigger(), `triggered ${id}`)],
  ['delete', 'delete a schedule (runs it started go on)', async (id, client) => (await client.schedule.getHandle(id).delete(), `deleted ${id}`)],
];
for (const [name, description, run] of simple) {
  program
    .command(`${name} <scheduleId>`)
    .description(description)
    .action(async (id: string) => {
      await withTemporalClient(async ({ client }) => process.stdout.write(`${await run(id, client)}\n`));
    });
}

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
