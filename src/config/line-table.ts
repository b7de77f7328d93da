/**
 * The logical lines of a config, stored compactly: a config can have hundreds of thousands, and
 * an object per line would mostly keep the garbage collector busy. Lines whose characters still
 * sit in one run of one physical line (nearly all) are a string and three numbers; the rest
 * (substitutions, expansions) keep their SourceText with its column map.
 */
import type { Loc } from './diagnostics.js';
import type { SourceText } from './source-text.js';
export class LineTable {
  private readonly texts: string[] = [];
  private readonly fileOf: number[] = [];
  private readonly lineOf: number[] = [];
  private readonly firstColumn: number[] = [];
  private readonly mapped = new Map<number, SourceText>();
  private readonly files: string[] = [];
  private lastFile = '';
  private lastFileIndex = -1;
  get length(): number {
    return this.texts.length;
  }
  push(line: SourceText): void {
    const i = this.texts.length;
    this.texts.push(line.text);
    const file = line.origin.file;
    if (file !== this.lastFile || this.lastFileIndex < 0) {
      this.lastFile = file;
      this.lastFileIndex = this.files.indexOf(file);
      if (this.lastFileIndex < 0) this.lastFileIndex = this.files.push(file) - 1;
    }
    this.fileOf.push(this.lastFileIndex);
    this.lineOf.push(line.origin.line);
    const first = line.linearStart;
    this.firstColumn.push(first ?? -1);
    if (first === undefined) this.mapped.set(i, line);
  }
  text(i: number): string {
    return this.texts[i] ?? '';
  }
  loc(i: number, index: number): Loc {
    const mapped = this.mapped.get(i);
    if (mapped) return { file: mapped.origin.file, line: mapped.origin.line, column: mapped.columnAt(index) };
    return {
      file: this.files[this.fileOf[i] ?? 0] ?? '',
      line: this.lineOf[i] ?? 0,
      column: (this.firstColumn[i] ?? 1) + index,
    };
  }
}
