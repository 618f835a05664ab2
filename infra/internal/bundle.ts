import { build, type BuildOptions, type Metafile, type OutputFile } from 'esbuild';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repoRoot } from '../../model/paths';

/** One function's code: its entry module and the shared chunks it imports, by file name. */
export type Bundle = ReadonlyMap<string, string>;

/** Where deployable function folders are written (git-ignored): `<repo>/.build/functions/<name>/`. */
export const BUILD_DIR = join(repoRoot(), '.build', 'functions');

/**
 * Writes one function's deployable folder (its bundle plus the event catalog it validates against) and returns
 * its path. Pulumi archives a folder when it deploys, so the program itself only carries the path.
 */
export function writeFunctionFolder(name: string, bundle: Bundle, catalogDir: string): string {
  const dir = join(BUILD_DIR, name);
  // The same function deployed in two regions is one folder, written once per program run.
  if (written.get(dir) === bundle) return dir;
  written.set(dir, bundle);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of bundle) writeFileSync(join(dir, file), text);
  cpSync(catalogDir, join(dir, 'catalog'), { recursive: true });
  return dir;
}

/** The entry module every function archive starts from (`handler: 'index.handler'`). */
export const ENTRY_FILE = 'index.mjs';

// esbuild emits ESM for code splitting; CommonJS dependencies inside still call require() and read __dirname.
const ESM_SHIMS = [
  "import { createRequire as __eventflowRequire } from 'node:module';",
  "import { fileURLToPath as __eventflowPath } from 'node:url';",
  'const require = __eventflowRequire(import.meta.url);',
  'const __filename = __eventflowPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

let cached: { files: string; bundles: Promise<Map<string, Bundle>> } | undefined;
const written = new Map<string, Bundle>();

/**
 * Bundles all handler files in one esbuild build with code splitting: shared code (the SDK, Powertools, the
 * event library) is parsed, minified and emitted once as chunks, and each function gets its entry plus the
 * chunks it imports. The build runs in esbuild's own process while the program goes on declaring resources.
 */
export function bundleHandlers(files: readonly string[]): Promise<Map<string, Bundle>> {
  const key = [...files].sort().join('\n');
  if (cached?.files !== key) cached = { files: key, bundles: runBuild(files) };
  return cached.bundles;
}

async function runBuild(files: readonly string[]): Promise<Map<string, Bundle>> {
  const names = files.map((_file, index) => `fn${index}`);
  const options: BuildOptions & { write: false; metafile: true } = {
    entryPoints: Object.fromEntries(files.map((file, index) => [names[index], file])),
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    minify: true,
    treeShaking: true,
    sourcemap: 'external',
    sourcesContent: false,
    banner: { js: ESM_SHIMS },
    outdir: '/eventflow-bundle',
    write: false,
    metafile: true,
    logLevel: 'silent',
  };
  const result = await build(options);
  const contents = new Map(result.outputFiles.map((out: OutputFile) => [basename(out.path), out.text]));
  const bundles = new Map<string, Bundle>();
  files.forEach((file, index) => {
    const entry = `${names[index]}.mjs`;
    const bundle = new Map<string, string>();
    for (const name of closure(result.metafile, entry)) {
      const target = name === entry ? ENTRY_FILE : name;
      bundle.set(target, (contents.get(name) ?? '').replace(`//# sourceMappingURL=${entry}.map`, `//# sourceMappingURL=${ENTRY_FILE}.map`));
      const map = contents.get(`${name}.map`);
      if (map) bundle.set(`${target}.map`, map);
    }
    bundles.set(file, bundle);
  });
  return bundles;
}

/** An output file and every chunk it imports, transitively, by file name (metafile paths are relative to the cwd). */
function closure(metafile: Metafile, entry: string): string[] {
  const byName = new Map(Object.entries(metafile.outputs).map(([path, output]) => [basename(path), output]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const imported of byName.get(name)?.imports ?? []) if (!imported.external) visit(basename(imported.path));
  };
  visit(entry);
  return [...seen];
}
