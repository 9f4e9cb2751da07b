/** A TCP port on 127.0.0.1 nothing listens on right now. */
export function freePort(): Promise<number>;
