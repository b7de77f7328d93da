/**
 * nanny's health check of a Piranha virtual service as a keepalived checker. nanny connects to each
 * real server every few seconds; with `send`/`expect` it sends the string and looks for the answer
 * (a substring, or a regular expression with use_regex = 1); with `send_program` it runs that
 * program (`%h` is the server's address) and compares its output with `expect`. Mapping:
 *   - no send, no expect, no program: TCP_CHECK (a connect), or UDP_CHECK for a UDP service;
 *   - an HTTP request (`GET PATH HTTP/1.x`, at most a Host header) expecting `HTTP` or a status
 *     line: HTTP_GET (`HTTP` means any answer: status_code 100-599, which keepalived 2.2.7 reads);
 *   - any other send/expect over TCP: MISC_CHECK running `keepalived-ts send-expect`, the same
 *     exchange (src/cli/send-expect-command.ts); over UDP: UDP_CHECK with payload/require_reply;
 *   - send_program: MISC_CHECK running the program (its exit status decides, not its output).
 * Pure.
 */
import { percentEncode } from './c-escapes.js';
import type { Context } from './lvs-cf-values.js';
import type { Setting } from './lvs-cf.js';

/** Where `keepalived-ts` is installed (docs/install.md): misc_path wants a full path. */
const SEND_EXPECT_COMMAND = '/usr/bin/keepalived-ts send-expect';

/** What the checker of one virtual service is made from (its settings, already read). */
export interface CheckSpec {
  readonly protocol: 'TCP' | 'UDP';
  readonly send: Setting | undefined;
  readonly expect: Setting | undefined;
  readonly sendProgram: Setting | undefined;
  readonly useRegex: boolean;
  /** The line of the virtual block, for warnings about the pair. */
  readonly line: number;
}

/** The checker's decision for a virtual service, independent of the real server. */
export type Checker =
  | { readonly kind: 'TCP_CHECK' }
  | { readonly kind: 'UDP_CHECK'; readonly payload: string | undefined; readonly reply: string | undefined }
  | {
      readonly kind: 'HTTP_GET';
      readonly path: string;
      readonly status: string;
      readonly host: string | undefined;
    }
  | { readonly kind: 'SEND_EXPECT'; readonly send: string; readonly expect: string; readonly regex: boolean }
  | { readonly kind: 'PROGRAM'; readonly command: string };

/** `GET PATH HTTP/1.x` CRLF, an optional Host header, then the blank line: what HTTP_GET sends. */
function httpRequest(send: string): { path: string; host: string | undefined } | undefined {
  const m = /^GET (\S+) HTTP\/1\.[01]\r?\n(?:Host: *([^\r\n]+)\r?\n)?\r?\n$/i.exec(send);
  if (!m) return undefined;
  return { path: m[1] as string, host: m[2]?.trim() };
}

/** The status_code an HTTP expect string stands for: `HTTP`, `HTTP/1.x`, or a status line. */
function httpStatus(expect: string): string | undefined {
  if (/^(H|HT|HTT|HTTP|HTTP\/|HTTP\/1|HTTP\/1\.|HTTP\/1\.[01])$/.test(expect)) return '100-599';
  const m = /^HTTP\/1\.[01] ([1-5]\d\d)(?: .*)?$/.exec(expect);
  return m ? m[1] : undefined;
}

/** keepalived 2.2.7 rejects a UDP_CHECK hex string holding the byte ff. */
function udpHex(bytes: string): string | undefined {
  if ([...bytes].some((c) => c.charCodeAt(0) === 0xff)) return undefined;
  return [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

export function chooseChecker(ctx: Context, spec: CheckSpec): Checker {
  const send = spec.send?.value ?? '';
  const expect = spec.expect?.value ?? '';
  if (spec.sendProgram !== undefined) {
    if (spec.send !== undefined)
      ctx.warn(spec.send.line, 'send is not used with send_program (nanny runs the program instead)');
    if (spec.expect !== undefined)
      ctx.warn(
        spec.expect.line,
        'expect with send_program has no keepalived equivalent: MISC_CHECK judges the program by its exit status, not by its output; make the program exit 0 when the answer is right',
      );
    return { kind: 'PROGRAM', command: spec.sendProgram.value };
  }
  if (spec.useRegex && send === '' && expect === '')
    ctx.warn(
      spec.line,
      'use_regex = 1 with no send/expect has no keepalived equivalent: nothing to match, a connect check is used',
    );
  if (send === '' && expect === '')
    return spec.protocol === 'UDP'
      ? { kind: 'UDP_CHECK', payload: undefined, reply: undefined }
      : { kind: 'TCP_CHECK' };
  if (spec.protocol === 'UDP') {
    const payload = send === '' ? undefined : udpHex(send);
    const reply = expect === '' ? undefined : udpHex(expect);
    if (send !== '' && payload === undefined)
      ctx.warn(
        spec.send?.line ?? spec.line,
        'send holds the byte 0xff, which keepalived 2.2.7 refuses in a UDP_CHECK payload: the check sends none',
      );
    if (expect !== '' && reply === undefined)
      ctx.warn(
        spec.expect?.line ?? spec.line,
        'expect holds the byte 0xff, which keepalived 2.2.7 refuses in require_reply: any reply passes',
      );
    if (spec.useRegex)
      ctx.warn(
        spec.line,
        'use_regex = 1 on a UDP service has no keepalived equivalent: UDP_CHECK compares the reply as bytes',
      );
    return { kind: 'UDP_CHECK', payload, reply };
  }
  const http = spec.useRegex ? undefined : httpRequest(send);
  const status = http === undefined ? undefined : httpStatus(expect);
  if (http !== undefined && status !== undefined) return { kind: 'HTTP_GET', ...http, status };
  return { kind: 'SEND_EXPECT', send, expect, regex: spec.useRegex };
}

/** A value for keepalived's misc_path as one argument: percent-encoded, `-` for empty (see send-expect). */
function argument(bytes: string): string {
  return bytes === '' ? '-' : percentEncode(bytes);
}

/** A command line inside misc_path's double quotes: keepalived reads `\` and `"` as escapes there. */
function quoteMiscPath(command: string): string {
  return `"${command.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The checker block for one real server, indented for its place in real_server. */
export function checkerLines(
  checker: Checker,
  server: { ip: string; port: number },
  timeout: number | undefined,
): string[] {
  const connect = timeout === undefined ? [] : [`  connect_timeout ${timeout}`];
  switch (checker.kind) {
    case 'TCP_CHECK':
      return ['TCP_CHECK {', ...connect, '}'];
    case 'UDP_CHECK':
      return [
        'UDP_CHECK {',
        ...connect,
        ...(checker.payload === undefined ? [] : [`  payload ${checker.payload}`]),
        ...(checker.reply === undefined ? [] : [`  require_reply ${checker.reply}`]),
        '}',
      ];
    case 'HTTP_GET':
      return [
        'HTTP_GET {',
        '  url {',
        `    path ${checker.path}`,
        `    status_code ${checker.status}`,
        '  }',
        ...(checker.host === undefined ? [] : [`  virtualhost ${checker.host}`]),
        ...connect,
        '}',
      ];
    case 'SEND_EXPECT': {
      // SEND and EXPECT travel percent-encoded (--percent), so no space, quote or backslash in
      // them meets keepalived's misc_path parsing; send-expect decodes them back to the bytes.
      const words = [
        SEND_EXPECT_COMMAND,
        '--percent',
        ...(checker.regex ? ['--regex'] : []),
        ...(timeout === undefined ? [] : ['--timeout', String(timeout)]),
        server.ip,
        String(server.port),
        argument(checker.send),
        argument(checker.expect),
      ];
      return [
        '# nanny send/expect: keepalived-ts send-expect connects, sends, waits for the answer (exit 0 on a match)',
        'MISC_CHECK {',
        `  misc_path ${quoteMiscPath(words.join(' '))}`,
        // keepalived kills a check that outlives misc_timeout: give send-expect its own timeout first.
        `  misc_timeout ${(timeout ?? 5) + 1}`,
        '}',
      ];
    }
    case 'PROGRAM':
      return [
        '# nanny send_program, %h replaced by the server address as nanny did',
        'MISC_CHECK {',
        `  misc_path ${quoteMiscPath(checker.command.replace(/%h/g, server.ip))}`,
        ...(timeout === undefined ? [] : [`  misc_timeout ${timeout}`]),
        '}',
      ];
  }
}
