/** Every format `keepalived-ts convert` reads, in the order detection tries them. */
import type { SourceFormat } from './format.js';
import { IPVSADM_FORMAT } from './from-ipvsadm.js';
import { LVS_CF } from './from-lvs-cf.js';

export const FORMATS: readonly SourceFormat[] = [LVS_CF, IPVSADM_FORMAT];
