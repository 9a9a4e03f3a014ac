/** The directory holding the built console (`index.html` and hashed `assets/`). */
export declare const consoleAssetsDir: string;
