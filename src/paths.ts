import path from 'node:path';

/**
 * The package's root directory, from this file in src/ or from its compiled copy in dist/server/
 * (`npm run build`): the one place that knows how deep each tree sits.
 */
const COMPILED = import.meta.dirname.endsWith(`${path.sep}dist${path.sep}server`);
export const PACKAGE_ROOT = path.resolve(import.meta.dirname, COMPILED ? '../..' : '..');
