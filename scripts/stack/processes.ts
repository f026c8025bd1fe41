import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A child process of the dev stack, started in a process group of its own so that stopping it also stops what it
 * started (tsx runs node as a child, for instance), and so that Ctrl-C reaches only the supervisor, which then
 * stops the stack in order.
 */
export class ManagedProcess {
  private exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly lineListeners: ((line: string) => void)[] = [];
  /** The last lines of output, shown when a quiet process fails. */
  private readonly recent: string[] = [];

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean },
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (options.echo !== false) process.stdout.write(`[${name}] ${line}\n`);
        this.recent.push(line);
        if (this.recent.length > 100) this.recent.shift();
        for (const listener of this.lineListeners) listener(line);
      });
    }
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  recentOutput(): string {
    return this.recent.map((line) => `[${this.name}] ${line}`).join('\n');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves when a line of output matches; rejects if the process exits first or the time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not print ${String(pattern)} within ${timeoutMs / 1000} s`)), timeoutMs);
      this.lineListeners.push((line) => {
        if (pattern.test(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (code ${String(code)}) before it was ready. Its last output:\n${this.recentOutput()}`));
      });
    });
  }

  onExit(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM to the whole group, then SIGKILL after the grace period. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.hasExited || this.child.pid === undefined) return;
    signalGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => this.child.pid !== undefined && signalGroup(this.child.pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Anything the leader left behind in its group goes too.
    signalGroup(this.child.pid, 'SIGKILL');
  }
}

const running = new Set<ManagedProcess>();

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

// If the supervisor itself dies, it takes the stack with it rather than leaving orphans on the ports.
process.once('exit', () => {
  for (const p of running) if (p.pid !== undefined) signalGroup(p.pid, 'SIGKILL');
});
