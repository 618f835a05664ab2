import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LocalEndpoints } from '../start-local';
import type { SystemCommand, SystemProcessOptions, SystemRequest } from './system-process';
import { LocalRuntimeError } from '../errors';

/** The order system in a child process that can be killed like a crashed machine and started again. */
export class SystemProcess {
  private child?: ChildProcess;
  endpoints!: LocalEndpoints;
  private port: number;

  constructor(private readonly options: SystemProcessOptions) {
    this.port = options.port;
  }

  async start(): Promise<void> {
    // A killed system's storage process may still hold its lock for a moment: try again shortly.
    for (let attempt = 1; ; attempt++) {
      try {
        this.endpoints = await this.spawn();
        this.port = Number(new URL(this.endpoints.api).port);
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private spawn(): Promise<LocalEndpoints> {
    // The handlers' own error logs (every injected failure) would bury the run's progress.
    const env = { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'CRITICAL' };
    const child = fork(join(__dirname, 'system-process.ts'), [JSON.stringify({ ...this.options, port: this.port })], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env,
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.once('message', (message: { type: string; endpoints: LocalEndpoints }) =>
        message.type === 'ready' ? resolve(message.endpoints) : reject(new LocalRuntimeError(`unexpected ${message.type}`)),
      );
      child.once('exit', (code) => reject(new LocalRuntimeError(`the system process exited with ${code} before it was ready`)));
    });
  }

  private commands = 0;

  /** Sends a command and waits for the answer that carries its id. */
  command(command: SystemRequest): Promise<unknown> {
    const child = this.child;
    if (!child?.connected) return Promise.reject(new LocalRuntimeError('the system process is not running'));
    const id = ++this.commands;
    return new Promise((resolve, reject) => {
      const onMessage = (message: { id?: number }) => {
        if (message.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = () => {
        child.off('message', onMessage);
        reject(new LocalRuntimeError(`the system process exited before it answered ${command.type}`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ ...command, id });
    });
  }

  /** SIGKILL, as a crash: nothing is flushed or closed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || !child.connected) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send({ type: 'stop', id: 0 } satisfies SystemCommand);
    });
  }
}
