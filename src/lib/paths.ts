/**
 * Where keepalived-ts looks for its files by default: the config keepalived reads
 * (keepalived 2.2.7's DEFAULT_CONF_FILE), the pid file and the control socket (the systemd unit's
 * RuntimeDirectory holds it; the daemon creates the folder when it runs without).
 */
export const DEFAULT_CONFIG = '/etc/keepalived/keepalived.conf';
export const DEFAULT_PID_FILE = '/run/keepalived-ts.pid';
export const DEFAULT_CONTROL_SOCKET = '/run/keepalived-ts/keepalived-ts.sock';
