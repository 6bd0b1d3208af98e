/** One line on stderr, then exit 1 (an invalid setting, a taken id or port). */
export function refuse(message: string): never {
  process.stderr.write(`ingest: ${message}\n`);
  process.exit(1);
}
