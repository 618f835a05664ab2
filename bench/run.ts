/**
 * `npm run bench`: every benchmark, figures printed and written to bench/results.json.
 *
 * Keys of bench/results.json:
 * - `machine`: Node.js version, CPU count and model, total memory (GiB).
 * - `stackEval`: cold evaluations of the dev stack under Pulumi mocks (goal: ≤ 3,000 ms).
 *   `runs`, `resources`, `evalMs {min, median, max}` (mocks installed → last output), `processMs` (whole process).
 * - `busMatching`: the local bus's rule matching (goal: ≥ 50,000 events/s against 1,000 rules).
 *   `rules`, `unindexedRules` (tested against every event), `events`, `eventsPerSecond`, `matchesPerEvent`.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchBusMatching } from './bus-matching';
import { benchStackEval } from './stack-eval';

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) };
process.stdout.write(`machine: ${JSON.stringify(machine)}\n`);

const stackEval = benchStackEval(5);
process.stdout.write(
  `stack under mocks, cold (${stackEval.runs} runs, ${stackEval.resources} resources): eval ms min ${stackEval.evalMs.min} / median ${stackEval.evalMs.median} / max ${stackEval.evalMs.max}; ` +
    `whole process ms median ${stackEval.processMs.median} (goal ≤ 3000 eval)\n`,
);

const busMatching = benchBusMatching();
process.stdout.write(
  `bus matching: ${busMatching.eventsPerSecond} events/s against ${busMatching.rules} rules (${busMatching.unindexedRules} unindexed), ${busMatching.matchesPerEvent} matches per event (goal ≥ 50000 events/s)\n`,
);

writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, stackEval, busMatching }, null, 2)}\n`);
