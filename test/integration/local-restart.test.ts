import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../model/paths';

/** Runs `npm start`'s program in its own process and resolves with the REST API's URL once it is up. */
function start(dataDir: string): Promise<{ child: ChildProcess; apiUrl: string }> {
  const child = spawn(join(repoRoot(), 'node_modules', '.bin', 'tsx'), ['local/main.ts', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot(),
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /REST API\s+(http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve({ child, apiUrl: match[1] });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('npm start keeps its data across a restart', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'eventflow-restart-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves an order placed before the restart, writes its endpoints, and stops cleanly on Ctrl-C', async () => {
    const first = await start(dataDir);
    const created = (await (await fetch(`${first.apiUrl}/orders`, { method: 'POST', body: JSON.stringify({ customerId: 'customer-1', productId: 'product-1', quantity: 1 }) })).json()) as {
      orderId: string;
    };
    let status = 'PENDING';
    for (let i = 0; i < 50 && status === 'PENDING'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = ((await (await fetch(`${first.apiUrl}/orders/${created.orderId}`)).json()) as { status: string }).status;
    }
    expect(JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8'))).toMatchObject({ api: first.apiUrl });
    expect(await stop(first.child)).toBe(0);

    const second = await start(dataDir);
    try {
      const order = (await (await fetch(`${second.apiUrl}/orders/${created.orderId}`)).json()) as { status: string };
      expect({ before: status, after: order.status }).toEqual({ before: 'COMPLETED', after: 'COMPLETED' });
    } finally {
      await stop(second.child);
    }
  }, 60_000);
});
