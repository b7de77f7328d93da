/** Builders for VRRP state machine tests. */
import { parseIp } from '../../src/lib/ip.js';
import { newRouter, step, type Event, type Router, type RouterConfig } from '../../src/vrrp/fsm.js';
import type { Advert } from '../../src/vrrp/packet.js';

export const GARP_DEFAULTS = {
  masterDelayMs: 5000,
  masterRepeat: 5,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  lowerPrioDelayMs: 5000,
  lowerPrioRepeat: 5,
  intervalMs: 0,
  gnaIntervalMs: 0,
};

export function routerConfig(over: Partial<RouterConfig> = {}): RouterConfig {
  return {
    name: 'VI_1',
    vrid: 51,
    version: 2,
    family: 'inet',
    basePriority: 100,
    advertIntervalMs: 1000,
    wantMaster: false,
    nopreempt: false,
    preemptDelayMs: 0,
    downTimerAdverts: 3,
    garp: GARP_DEFAULTS,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    vips: ['192.0.2.100'],
    authType: 0,
    password: '',
    skipCheckAdvAddr: false,
    unicastPeers: [],
    checkUnicastSrc: false,
    sourceAddress: '192.0.2.11',
    trackers: [],
    configFault: false,
    syncGroup: null,
    ...over,
  };
}

export function advert(over: Partial<Advert> = {}): Advert {
  return {
    version: 2,
    vrid: 51,
    priority: 100,
    family: 'inet',
    addresses: ['192.0.2.100'],
    advertIntervalMs: 1000,
    authType: 0,
    authData: new Uint8Array(8),
    ...over,
  };
}

export const advertEvent = (over: Partial<Advert> = {}, source = '192.0.2.12', ttl = 255): Event => ({
  kind: 'advert',
  advert: advert(over),
  source,
  ttl,
});

/** Run events in order (each at its time), returning the router and every step's result. */
export function run(r: Router, events: readonly (readonly [number, Event])[]) {
  let router = r;
  const results = [];
  for (const [at, ev] of events) {
    const res = step(router, ev, at);
    results.push(res);
    router = res.router;
  }
  return { router, results, last: results[results.length - 1] };
}

/** A started router (BACKUP, or FAULT/owner as its config says) at time 0. */
export const started = (over: Partial<RouterConfig> = {}): Router =>
  step(newRouter(routerConfig(over)), { kind: 'start' }, 0).router;

/** A router that is MASTER since time `at` (its down timer ran out). */
export function master(over: Partial<RouterConfig> = {}): { router: Router; at: number } {
  const r = started(over);
  const at = r.timers.masterDown as number;
  return { router: step(r, { kind: 'timer', timer: 'masterDown' }, at).router, at };
}

export const ipBytes = (text: string): Uint8Array => (parseIp(text) as { bytes: Uint8Array }).bytes;
