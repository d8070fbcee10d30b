import { ConfigError, loadConfig } from '../config/index.ts';

/** Loads config once for a command; a bad environment ends the process with every problem listed. */
export function configOrExit() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
