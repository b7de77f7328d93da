/** UDP checkers (DNS_CHECK, UDP_CHECK): bind to `bindto`/`bind_port` when given, then go on. */
import type { Socket } from 'node:dgram';
import type { Checker } from '../../config/model.js';

export function bindThen(
  sock: Socket,
  checker: Pick<Checker, 'bindTo' | 'bindPort'>,
  then: () => void,
): void {
  if (checker.bindTo === null && checker.bindPort === null) {
    then();
    return;
  }
  sock.bind(
    {
      port: checker.bindPort ?? 0,
      ...(checker.bindTo !== null ? { address: checker.bindTo } : {}),
      exclusive: true,
    },
    then,
  );
}
