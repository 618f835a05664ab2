// Entry of a Lambda worker thread (see lambda-workers.ts). A worker starts without the parent's TypeScript
// loader (tsx's CLI hooks or jest's transform are per thread), so it registers tsx's CommonJS hook itself.
require('tsx/cjs/api').register();
require('./lambda-worker.ts');
