/**
 * mulberry32, seeded: every bit of the output is usable, so `% n` spreads evenly over a
 * vocabulary of n words. Benchmarks use it so every run generates the same data.
 * @returns a function giving an integer in [0, n)
 */
export function seededIntegers(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}
