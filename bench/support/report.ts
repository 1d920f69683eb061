// The one output format of every benchmark: a figure per line, with its target and the ratio to
// it (compare ratios within one run; the machines are shared and noisy), and `#` notes.

export function line(name: string, value: number, unit: string, target?: number, digits = unit === 'ms' ? 3 : 0): void {
  const ratio = target === undefined ? '' : `  (target ${target} ${unit}, ratio ${(value / target).toFixed(2)})`;
  console.log(`${name.padEnd(42)} ${value.toFixed(digits).padStart(10)} ${unit}${ratio}`);
}

export function note(text: string): void {
  console.log(`# ${text}`);
}
