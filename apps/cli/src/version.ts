declare const __HSM_VERSION__: string | undefined;
export const VERSION: string = typeof __HSM_VERSION__ === 'string' ? __HSM_VERSION__ : '0.0.0-dev';
declare const __HSM_BUILD__: string | undefined;
/** Changes with every change of the bundled sources (build.mjs hashes them); null when running unbundled. */
export const BUILD_ID: string | null = typeof __HSM_BUILD__ === 'string' ? __HSM_BUILD__ : null;
