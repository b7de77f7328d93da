/** Every format `keepalived-ts convert` reads, in the order detection tries them. */
import type { SourceFormat } from './format.js';
import { IPVSADM_FORMAT } from './from-ipvsadm.js';

export const FORMATS: readonly SourceFormat[] = [IPVSADM_FORMAT];
