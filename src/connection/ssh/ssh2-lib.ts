// ssh2 is loaded on first use, so runs that only touch local hosts skip its start-up cost (~25 ms).
import { createRequire } from 'node:module';

type Ssh2 = typeof import('ssh2');

const load = createRequire(import.meta.url);
let lib: Ssh2 | undefined;

// The ssh2 module, required the first time an SSH connection or key needs it.
export function ssh2Lib(): Ssh2 {
  lib ??= load('ssh2') as Ssh2;
  return lib;
}
