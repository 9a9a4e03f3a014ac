// Where the built console is: the server serves this directory at /console.
import { fileURLToPath } from 'node:url';

export const consoleAssetsDir = fileURLToPath(new URL('./dist/', import.meta.url));
