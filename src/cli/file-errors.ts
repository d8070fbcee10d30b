import { readFile, writeFile } from 'node:fs/promises';

/** A file the user named could not be read or written: one line they can act on, not a stack trace. */
export class UserFileError extends Error {}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the disk',
  EROFS: 'the disk is read-only',
};

function asUserError(file: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code && code in REASONS ? new UserFileError(`${file}: ${REASONS[code]}.`) : err;
}

export const readUserFile = (file: string) => readFile(file).catch((err) => { throw asUserError(file, err); });
export const writeUserFile = (file: string, bytes: Uint8Array) => writeFile(file, bytes).catch((err) => { throw asUserError(file, err); });
