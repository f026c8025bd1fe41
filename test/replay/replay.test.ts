import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

/**
 * Every committed history (exported from real runs on the dev server) must replay against today's workflow code:
 * a change that breaks determinism fails here, in every test run, before it can break runs in flight.
 * A change to a workflow's shape must keep old histories replaying (patched()), with a history of each version here.
 */
const dir = path.join(__dirname, 'histories');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  it.each(histories)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    const codePath = process.env.TEMPORAL_TEST_BUNDLE;
    if (!codePath) throw new Error('run through `npm test`: the global setup builds the workflow bundle');
    await Worker.runReplayHistory({ workflowBundle: { codePath } }, history, file);
  });
});
