import { build, type Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repoRoot } from '../../model/paths';

/** One function's code: file name in the function's folder → where esbuild wrote it. */
export type Bundle = ReadonlyMap<string, string>;

/** The entry module every function archive starts from (`handler: 'index.handler'`). */
export const ENTRY_FILE = 'index.mjs';

/** Where deployable function folders are written (git-ignored): `<repo>/.build/functions/<name>/`. */
export const BUILD_DIR = join(repoRoot(), '.build', 'functions');
// Per process: two programs evaluating at once (parallel test workers, a synth beside a test) would otherwise
// delete each other's output between building and linking. Function folders hard-link their files, so the
// output can go when the process does.
const ESBUILD_OUT = join(repoRoot(), '.build', 'esbuild', String(process.pid));
/** One exit listener per process, however often the module is loaded (jest loads it once per test file). */
const CLEANUP = Symbol.for('eventflow.bundle.cleanup');

// esbuild emits ESM for code splitting; CommonJS dependencies inside still call require() and read __dirname.
const ESM_SHIMS = [
  "import { createRequire as __eventflowRequire } from 'node:module';",
  "import { fileURLToPath as __eventflowPath } from 'node:url';",
  'const require = __eventflowRequire(import.meta.url);',
  'const __filename = __eventflowPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

let cached: { files: string; bundles: Promise<Map<string, Bundle>> } | undefined;
const written = new Map<string, { readonly bundle: Bundle; readonly dir: string }>();

/**
 * Bundles all handler files in one esbuild build with code splitting: shared code (the SDK, Powertools, the
 * event library) is parsed, minified and written once as chunks, and each function gets its entry plus the
 * chunks it imports. esbuild writes the files itself, in its own process, while the program goes on
 * declaring resources; the program only links them into place.
 */
export function bundleHandlers(files: readonly string[]): Promise<Map<string, Bundle>> {
  const key = [...files].sort().join('\n');
  if (cached?.files !== key) cached = { files: key, bundles: runBuild(files) };
  return cached.bundles;
}

async function runBuild(files: readonly string[]): Promise<Map<string, Bundle>> {
  const names = files.map((_file, index) => `fn${index}`);
  rmSync(ESBUILD_OUT, { recursive: true, force: true });
  const registry = process as unknown as Record<symbol, boolean | undefined>;
  if (!registry[CLEANUP]) {
    registry[CLEANUP] = true;
    process.once('exit', () => rmSync(ESBUILD_OUT, { recursive: true, force: true }));
  }
  const result = await build({
    entryPoints: Object.fromEntries(files.map((file, index) => [names[index], file])),
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    minify: true,
    treeShaking: true,
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: ESM_SHIMS },
    outdir: ESBUILD_OUT,
    write: true,
    metafile: true,
    logLevel: 'silent',
  });
  const bundles = new Map<string, Bundle>();
  files.forEach((file, index) => {
    const entry = `${names[index]}.mjs`;
    const bundle = new Map<string, string>();
    for (const name of closure(result.metafile, entry)) {
      bundle.set(name === entry ? ENTRY_FILE : name, join(ESBUILD_OUT, name));
      // Each module names its map by its own file name (`//# sourceMappingURL=fn3.mjs.map`), so maps keep theirs.
      bundle.set(`${name}.map`, join(ESBUILD_OUT, `${name}.map`));
    }
    bundles.set(file, bundle);
  });
  return bundles;
}

/**
 * Puts one function's deployable folder together (its bundle, hard-linked from esbuild's output, and the
 * event catalog it validates against) and returns its path. Pulumi archives the folder when it deploys.
 *
 * The folder is named after its content (`<name>-<hash>`) and never changed once written: two programs evaluating
 * at once (parallel test workers, a synth beside a test) would otherwise replace a folder while the other's Pulumi
 * is still archiving it. Same content, same folder; the first writer's copy stays.
 */
export function writeFunctionFolder(name: string, bundle: Bundle, catalogDir: string): string {
  const cached = written.get(name);
  if (cached?.bundle === bundle) return cached.dir;
  const hash = createHash('sha256');
  for (const [file, source] of [...bundle].sort(([a], [b]) => a.localeCompare(b))) hash.update(file).update('\0').update(readFileSync(source));
  for (const file of listFiles(catalogDir))
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(catalogDir, file)));
  const dir = join(BUILD_DIR, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(dir)) {
    const staging = `${dir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const [file, source] of bundle) linkSync(source, join(staging, file));
    cpSync(catalogDir, join(staging, 'catalog'), { recursive: true });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process wrote the same content first: keep its folder.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    }
    pruneOlderFolders(name, dir);
  }
  written.set(name, { bundle, dir });
  return dir;
}

/** Folders older than this are no longer being archived by any evaluation, and may go. */
const STALE_FOLDER_MS = 10 * 60 * 1000;

/** Removes the function's folders of earlier code, once stale, so `.build/` does not grow with every change. */
function pruneOlderFolders(name: string, current: string): void {
  const prefix = `${name}-`;
  for (const entry of readdirSync(BUILD_DIR)) {
    const path = join(BUILD_DIR, entry);
    if (path === current || !entry.startsWith(prefix) || !/^[0-9a-f]{16}$/.test(entry.slice(prefix.length))) continue;
    if (Date.now() - statSync(path).mtimeMs > STALE_FOLDER_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(dir, join(prefix, entry.name)) : [join(prefix, entry.name)]))
    .sort();
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
