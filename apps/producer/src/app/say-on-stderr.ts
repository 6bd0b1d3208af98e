/**
 * One line on stderr, `producer: <why>`: how the producer says that a setting is (or became)
 * unusable or that another process took its place (SPEC §5), beside the JSON logs on stdout.
 */
export function sayOnStderr(why: string): void {
  process.stderr.write(`producer: ${why}\n`);
}

/** Refuses to start: says why in one line on stderr and exits 1 (nothing was written yet). */
export function refuseToStart(why: string): never {
  sayOnStderr(why);
  process.exit(1);
}
