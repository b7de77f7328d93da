/**
 * `keepalived-ts send-expect HOST PORT SEND EXPECT [--timeout S] [--regex] [--percent]`: Piranha
 * nanny's send/expect check as a program keepalived's MISC_CHECK runs (what `convert` writes for an
 * lvs.cf send/expect pair that is not plain HTTP). Connects over TCP, sends SEND, reads until
 * EXPECT appears in what came back (a substring, or a regular expression with --regex, as nanny's
 * use_regex), and exits 0 on a match, 1 otherwise (refused, closed early, or --timeout seconds,
 * default 5, passed). SEND and EXPECT take C escapes (\r, \n, \xHH...); with --percent they are
 * %HH-encoded instead and `-` is the empty string: the form convert writes, which needs no quoting
 * in keepalived's misc_path. An empty EXPECT matches once SEND is written.
 */
import { Socket } from 'node:net';
import { decodeCEscapes, percentDecode } from '../convert/c-escapes.js';

const SEND_EXPECT_USAGE = `Usage: keepalived-ts send-expect HOST PORT SEND EXPECT [--timeout S] [--regex] [--percent]
  Connect to HOST:PORT over TCP, send SEND, wait for EXPECT in the answer; exit 0 on a match, 1 otherwise.
  --timeout S  give up after S seconds (default 5)
  --regex      EXPECT is a regular expression
  --percent    SEND and EXPECT are %HH-encoded, - is empty (what keepalived-ts convert writes)`;

export interface SendExpectIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

interface Args {
  readonly host: string;
  readonly port: number;
  readonly send: string;
  readonly expect: string;
  readonly timeout: number;
  readonly regex: boolean;
}

function parse(argv: readonly string[]): Args | string {
  const words: string[] = [];
  let timeout = 5;
  let regex = false;
  let percent = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--regex') regex = true;
    else if (a === '--percent') percent = true;
    else if (a === '--timeout') {
      const v = argv[++i];
      if (v === undefined || !/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
        return `--timeout wants seconds, not '${v ?? ''}'`;
      timeout = Number(v);
    } else if (a.startsWith('--')) return `unknown option '${a}'`;
    else words.push(a);
  }
  if (words.length !== 4) return 'wants HOST PORT SEND EXPECT';
  const [host, portText, sendText, expectText] = words as [string, string, string, string];
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
    return `bad port '${portText}'`;
  const decode = (t: string): string | undefined =>
    percent ? (t === '-' ? '' : percentDecode(t)) : decodeCEscapes(t);
  const send = decode(sendText);
  const expect = decode(expectText);
  if (send === undefined || expect === undefined) return 'a %-escape is not followed by two hex digits';
  return { host, port: Number(portText), send, expect, timeout, regex };
}

/** The answer is kept up to 1 MiB: a server that streams without the text fails the check instead of filling memory. */
const MAX_ANSWER = 1 << 20;

/** Whether `answer` (latin1) holds `expect`. */
function matches(answer: string, expect: string, regex: RegExp | undefined): boolean {
  return regex ? regex.test(answer) : answer.includes(expect);
}

export async function runSendExpectCommand(argv: readonly string[], io: SendExpectIo): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    io.stdout.write(`${SEND_EXPECT_USAGE}\n`);
    return 0;
  }
  const args = parse(argv);
  if (typeof args === 'string') {
    io.stderr.write(`keepalived-ts send-expect: ${args}\n${SEND_EXPECT_USAGE}\n`);
    return 2;
  }
  let regex: RegExp | undefined;
  try {
    regex = args.regex ? new RegExp(args.expect, 'm') : undefined;
  } catch (err) {
    io.stderr.write(`keepalived-ts send-expect: bad regular expression: ${(err as Error).message}\n`);
    return 2;
  }
  return new Promise<number>((resolve) => {
    let answer = '';
    let done = false;
    const socket = new Socket();
    const finish = (code: number, why: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (code !== 0) io.stderr.write(`keepalived-ts send-expect: ${args.host}:${args.port}: ${why}\n`);
      resolve(code);
    };
    const timer = setTimeout(() => finish(1, `no match within ${args.timeout} s`), args.timeout * 1000);
    socket.on('error', (err) => finish(1, err.message));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (matches(answer, args.expect, regex)) finish(0, '');
      else if (answer.length > MAX_ANSWER) finish(1, `no match in the first ${MAX_ANSWER} bytes`);
    });
    socket.on('end', () => finish(1, 'closed without the expected answer'));
    socket.connect(args.port, args.host, () => {
      const afterSend = (): void => {
        if (args.expect === '') finish(0, '');
      };
      if (args.send === '') afterSend();
      else socket.write(Buffer.from(args.send, 'latin1'), afterSend);
    });
  });
}
