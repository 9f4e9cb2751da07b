declare const __HSM_VERSION__: string | undefined;
export const VERSION: string = typeof __HSM_VERSION__ === 'string' ? __HSM_VERSION__ : '0.0.0-dev';
