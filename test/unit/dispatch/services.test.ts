/** Which listeners the embedded dispatcher opens for a config, and what it leaves to IPVS. */
import { describe, expect, it } from 'vitest';
import { planListeners } from '../../../src/dispatch/services.js';
import { loadText } from '../../helpers/config.js';

const RS = 'real_server 192.0.2.21 80 {\n weight 1\n }';

describe('planListeners', () => {
  it('one listener per address virtual server, one per group address; fwmark and SCTP are left out', () => {
    const { config } = loadText(`
global_defs {
  lvs_timeouts udp 60
}
virtual_server_group web {
  192.0.2.100-102 80
  fwmark 7
}
virtual_server 192.0.2.1 53 {
  protocol UDP
  lb_algo rr
  lb_kind NAT
  persistence_timeout 120
  persistence_granularity 255.255.255.0
  ${RS}
}
virtual_server group web {
  protocol TCP
  lb_algo sh
  lb_kind NAT
  proxy_protocol v2
  ${RS}
}
virtual_server fwmark 5 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  ${RS}
}
virtual_server 192.0.2.2 80 {
  protocol SCTP
  lb_algo rr
  lb_kind NAT
  ${RS}
}
`);
    const plan = planListeners(config);
    expect(plan.listeners.map((l) => `${l.id} ${l.protocol} ${l.address}:${l.port} ${l.scheduler}`)).toEqual([
      '[192.0.2.1]:udp:53 UDP 192.0.2.1:53 rr',
      '[web]:0#0 TCP 192.0.2.100:80 sh',
      '[web]:0#1 TCP 192.0.2.101:80 sh',
      '[web]:0#2 TCP 192.0.2.102:80 sh',
    ]);
    expect(plan.listeners[0]).toMatchObject({
      persistenceTimeoutMs: 120_000,
      persistencePrefix: 24,
      udpIdleTimeoutMs: 60_000,
    });
    expect(plan.listeners[1]?.proxyProtocol).toBe('v2');
    expect(plan.skipped.map((s) => s.vs)).toEqual(['[web]:0', 'FWM 5', '[192.0.2.2]:sctp:80']);
    // Only NAT virtual servers here: nothing is proxied in place of DR/TUN forwarding.
    expect(plan.proxied).toEqual([]);
  });

  it('DR and TUN virtual servers it serves are listed as proxied (fwmark ones are not served at all)', () => {
    const vs = (head: string, kind: string): string =>
      `virtual_server ${head} {\n protocol TCP\n lb_algo rr\n lb_kind ${kind}\n ${RS}\n}\n`;
    const { config } = loadText(
      vs('192.0.2.1 80', 'DR') + vs('192.0.2.2 80', 'TUN') + vs('192.0.2.3 80', 'NAT') + vs('fwmark 9', 'DR'),
    );
    expect(planListeners(config).proxied).toEqual([
      { vs: '[192.0.2.1]:tcp:80', lbKind: 'DR' },
      { vs: '[192.0.2.2]:tcp:80', lbKind: 'TUN' },
    ]);
  });
});
