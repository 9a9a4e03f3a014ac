// Where the built console is: the server serves this directory at /console.
import { join } from 'node:path';

export const consoleAssetsDir = join(import.meta.dirname, 'dist');
