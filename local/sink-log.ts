import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What a sink received, kept in memory and, with a file, appended to it as JSON lines and read back at start:
 * a sink stands for an outside system (SES, a carrier, a card processor), whose record of what it got outlives
 * a crash of this system, so checks after a restart count everything it ever received.
 */
export class SinkLog<T> {
  readonly items: T[];

  constructor(private readonly file?: string) {
    this.items =
      file && existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as T)
        : [];
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  push(item: T): void {
    this.items.push(item);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(item)}\n`);
  }
}
