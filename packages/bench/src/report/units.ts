/** Units the benchmark reports print. */

/** `b` bytes as MiB with one decimal: `12.3 MiB`. */
export const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
