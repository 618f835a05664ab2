import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CATALOG_DIR } from '../../model';

/** A throw-away copy of the real catalog that a test may break or extend without touching the repository. */
export class CatalogCopy {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'eventflow-catalog-'));
    cpSync(CATALOG_DIR, this.dir, { recursive: true });
  }

  read(file: string): Record<string, unknown> {
    return JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as Record<string, unknown>;
  }

  write(file: string, content: unknown): void {
    mkdirSync(dirname(join(this.dir, file)), { recursive: true });
    writeFileSync(join(this.dir, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }

  remove(file: string): void {
    rmSync(join(this.dir, file));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
