/**
 * The Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): metric families and their
 * samples, escaped and printed. Pure; metrics.ts and metrics-compat.ts fill the families.
 */

export type Labels = readonly (readonly [name: string, value: string])[];

interface Sample {
  readonly suffix: string;
  readonly labels: Labels;
  readonly value: number;
}

export class Family {
  readonly samples: Sample[] = [];

  constructor(
    readonly name: string,
    readonly type: 'gauge' | 'counter' | 'histogram',
    readonly help: string,
  ) {}

  add(labels: Labels, value: number, suffix = ''): void {
    this.samples.push({ suffix, labels, value });
  }
}

/** A label value: backslash, double quote and line feed escaped (format 0.0.4). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** HELP text: backslash and line feed escaped (format 0.0.4). */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** A sample value as Go's ParseFloat reads it (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderFamily(f: Family): string {
  const lines = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`];
  for (const s of f.samples) {
    const labels = s.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
    lines.push(`${f.name}${s.suffix}${labels ? `{${labels}}` : ''} ${formatValue(s.value)}`);
  }
  return lines.join('\n') + '\n';
}
