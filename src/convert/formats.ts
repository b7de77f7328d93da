/** Every format `keepalived-ts convert` reads, in the order detection tries them. */
import type { SourceFormat } from './format.js';

export const FORMATS: readonly SourceFormat[] = [];
