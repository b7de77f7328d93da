/*
 * keepalived-ts native addon: the few socket syscalls Node does not offer (raw IP, AF_PACKET and
 * netlink sockets with recvmsg ancillary data), one AF_UNIX datagram for sd_notify, plus readiness
 * polling on Node's own libuv loop.
 * Everything protocol-shaped (sockaddr structs, cmsg parsing, packets) is built in TypeScript
 * (src/net/). Errors throw a JS Error whose `code` is the errno name and `errno` its number.
 * Node-API only, so one binary serves every Node version.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#define CHECK(call)                                                                                  \
  do {                                                                                               \
    if ((call) != napi_ok) {                                                                         \
      napi_throw_error(env, NULL, "rawsock: N-API call failed: " #call);                            \
      return NULL;                                                                                   \
    }                                                                                                \
  } while (0)

static const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case ENOENT: return "ENOENT";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETDOWN: return "ENETDOWN";
    case ENETUNREACH: return "ENETUNREACH";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    case EMSGSIZE: return "EMSGSIZE";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EEXIST: return "EEXIST";
    case ENOTSOCK: return "ENOTSOCK";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTDIR: return "ENOTDIR";
    default: return "EUNKNOWN";
  }
}

/* Throw an Error for errno `err` from syscall `what`; returns NULL for the caller to return. */
static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  napi_value error, message, code, num;
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok) return NULL;
  if (napi_create_error(env, code, message, &error) != napi_ok) return NULL;
  if (napi_create_int32(env, err, &num) != napi_ok) return NULL;
  napi_set_named_property(env, error, "code", code);
  napi_set_named_property(env, error, "errno", num);
  napi_throw(env, error);
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "rawsock: missing arguments");
    return 0;
  }
  return 1;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "rawsock: expected a number");
    return 0;
  }
  return 1;
}

/* A Buffer/TypedArray's bytes (or NULL/0 for null/undefined when `optional`). */
static int get_bytes(napi_env env, napi_value v, void **data, size_t *len, int optional) {
  napi_valuetype t;
  bool is_buffer = false, is_typed = false;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (optional && (t == napi_null || t == napi_undefined)) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  napi_is_buffer(env, v, &is_buffer);
  if (is_buffer) return napi_get_buffer_info(env, v, data, len) == napi_ok;
  napi_is_typedarray(env, v, &is_typed);
  if (is_typed) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value ab;
    if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) != napi_ok) return 0;
    *len = length; /* Uint8Array: elements are bytes */
    return 1;
  }
  napi_throw_type_error(env, NULL, "rawsock: expected a Buffer or Uint8Array");
  return 0;
}

static napi_value int_value(napi_env env, int64_t n) {
  napi_value v;
  CHECK(napi_create_int64(env, n, &v));
  return v;
}

/* socket(domain, type, protocol) -> fd */
static napi_value Socket(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t domain, type, protocol;
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &domain) || !get_int(env, argv[1], &type) ||
      !get_int(env, argv[2], &protocol))
    return NULL;
  int fd = socket(domain, type, protocol);
  if (fd < 0) return throw_errno(env, "socket", errno);
  return int_value(env, fd);
}

/* setsockopt(fd, level, name, value: number | Buffer) */
static napi_value SetSockOpt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd, level, name;
  napi_valuetype t;
  if (!get_args(env, info, 4, argv) || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &level) ||
      !get_int(env, argv[2], &name))
    return NULL;
  CHECK(napi_typeof(env, argv[3], &t));
  int rc;
  if (t == napi_number) {
    int32_t value;
    if (!get_int(env, argv[3], &value)) return NULL;
    int v = value;
    rc = setsockopt(fd, level, name, &v, sizeof v);
  } else {
    void *data;
    size_t len;
    if (!get_bytes(env, argv[3], &data, &len, 0)) return NULL;
    rc = setsockopt(fd, level, name, data, (socklen_t)len);
  }
  if (rc < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* bind(fd, sockaddr: Buffer) */
static napi_value Bind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  void *addr;
  size_t len;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd) || !get_bytes(env, argv[1], &addr, &len, 0))
    return NULL;
  if (bind(fd, (struct sockaddr *)addr, (socklen_t)len) < 0) return throw_errno(env, "bind", errno);
  return NULL;
}

/* sendto(fd, data, sockaddr | null) -> bytes sent */
static napi_value SendTo(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  void *data, *addr;
  size_t len, alen;
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &fd) || !get_bytes(env, argv[1], &data, &len, 0) ||
      !get_bytes(env, argv[2], &addr, &alen, 1))
    return NULL;
  ssize_t n;
  do {
    n = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)addr, (socklen_t)alen);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, "sendto", errno);
  return int_value(env, n);
}

/* recvmsg(fd, dataSize, controlSize) -> { data, name, control, flags } or null when nothing is waiting */
static napi_value RecvMsg(napi_env env, napi_callback_info info) {
  napi_value argv[3], result, vdata, vname, vcontrol;
  int32_t fd, dsize, csize;
  void *pdata, *pname, *pcontrol;
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &dsize) ||
      !get_int(env, argv[2], &csize))
    return NULL;
  if (dsize <= 0 || dsize > 1 << 20 || csize < 0 || csize > 1 << 16) {
    napi_throw_range_error(env, NULL, "rawsock: recvmsg sizes out of range");
    return NULL;
  }
  unsigned char name[128];
  char *buf = malloc((size_t)dsize);
  char *control = malloc(csize > 0 ? (size_t)csize : 1);
  if (!buf || !control) {
    free(buf);
    free(control);
    return throw_errno(env, "recvmsg", ENOMEM);
  }
  struct iovec iov = {.iov_base = buf, .iov_len = (size_t)dsize};
  struct msghdr msg = {.msg_name = name, .msg_namelen = sizeof name, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = control, .msg_controllen = (size_t)csize};
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    free(buf);
    free(control);
    if (err == EAGAIN || err == EWOULDBLOCK) {
      napi_value null;
      CHECK(napi_get_null(env, &null));
      return null;
    }
    return throw_errno(env, "recvmsg", err);
  }
  size_t got = (size_t)n < (size_t)dsize ? (size_t)n : (size_t)dsize;
  napi_status s1 = napi_create_buffer_copy(env, got, buf, &pdata, &vdata);
  napi_status s2 = napi_create_buffer_copy(env, msg.msg_namelen, name, &pname, &vname);
  napi_status s3 = napi_create_buffer_copy(env, msg.msg_controllen, control, &pcontrol, &vcontrol);
  free(buf);
  free(control);
  if (s1 != napi_ok || s2 != napi_ok || s3 != napi_ok) {
    napi_throw_error(env, NULL, "rawsock: cannot create buffers");
    return NULL;
  }
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "data", vdata));
  CHECK(napi_set_named_property(env, result, "name", vname));
  CHECK(napi_set_named_property(env, result, "control", vcontrol));
  CHECK(napi_set_named_property(env, result, "flags", int_value(env, msg.msg_flags)));
  CHECK(napi_set_named_property(env, result, "length", int_value(env, n)));
  return result;
}

/*
 * recvmmsg(fd, data, slot, names, control, controlSize, meta) -> count: reads up to meta.length / 4
 * waiting datagrams with one recvmmsg(2) into caller-owned buffers, so a flood costs one call and
 * no allocation per packet. Datagram i lands at data[i * slot], its sender at names[i * 128], its
 * ancillary data at control[i * controlSize]; meta[4 i ..] = { length (real, may exceed slot),
 * name length, control length, msg_flags }. 0 when nothing is waiting.
 */
#define NAME_SLOT 128
#define MAX_BATCH 256
static napi_value RecvMmsg(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  int32_t fd, slot, csize;
  void *data, *names, *control, *metap;
  size_t dlen, nlen, clen, mlen;
  napi_typedarray_type mtype;
  napi_value mab;
  size_t moff;
  if (!get_args(env, info, 7, argv) || !get_int(env, argv[0], &fd) || !get_bytes(env, argv[1], &data, &dlen, 0) ||
      !get_int(env, argv[2], &slot) || !get_bytes(env, argv[3], &names, &nlen, 0) ||
      !get_bytes(env, argv[4], &control, &clen, 0) || !get_int(env, argv[5], &csize))
    return NULL;
  CHECK(napi_get_typedarray_info(env, argv[6], &mtype, &mlen, &metap, &mab, &moff));
  if (mtype != napi_int32_array) {
    napi_throw_type_error(env, NULL, "rawsock: recvmmsg meta must be an Int32Array");
    return NULL;
  }
  size_t max = mlen / 4;
  if (max > MAX_BATCH) max = MAX_BATCH;
  if (slot <= 0 || csize < 0 || max == 0 || dlen < max * (size_t)slot || nlen < max * NAME_SLOT ||
      clen < max * (size_t)csize) {
    napi_throw_range_error(env, NULL, "rawsock: recvmmsg buffers too small");
    return NULL;
  }
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  for (size_t i = 0; i < max; i++) {
    iov[i].iov_base = (char *)data + i * (size_t)slot;
    iov[i].iov_len = (size_t)slot;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_name = (char *)names + i * NAME_SLOT;
    msgs[i].msg_hdr.msg_namelen = NAME_SLOT;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_control = csize > 0 ? (char *)control + i * (size_t)csize : NULL;
    msgs[i].msg_hdr.msg_controllen = (size_t)csize;
  }
  int n;
  do {
    n = recvmmsg(fd, msgs, (unsigned)max, MSG_DONTWAIT | MSG_TRUNC, NULL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return int_value(env, 0);
    return throw_errno(env, "recvmmsg", errno);
  }
  int32_t *meta = (int32_t *)metap;
  for (int i = 0; i < n; i++) {
    meta[4 * i] = (int32_t)msgs[i].msg_len;
    meta[4 * i + 1] = (int32_t)msgs[i].msg_hdr.msg_namelen;
    meta[4 * i + 2] = (int32_t)msgs[i].msg_hdr.msg_controllen;
    meta[4 * i + 3] = msgs[i].msg_hdr.msg_flags;
  }
  return int_value(env, n);
}

/*
 * attachFilter(fd, program: Buffer of struct sock_filter) : SO_ATTACH_FILTER with a classic BPF
 * program (8 bytes per instruction: u16 code, u8 jt, u8 jf, u32 k, host byte order), built in
 * TypeScript (src/net/vrrp-filter.ts). Replaces any filter already attached.
 */
static napi_value AttachFilter(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  void *prog;
  size_t len;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd) || !get_bytes(env, argv[1], &prog, &len, 0))
    return NULL;
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    napi_throw_range_error(env, NULL, "rawsock: a filter program is 1 to 4096 instructions of 8 bytes");
    return NULL;
  }
  struct sock_fprog fprog = {.len = (unsigned short)(len / sizeof(struct sock_filter)),
                             .filter = (struct sock_filter *)prog};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0)
    return throw_errno(env, "setsockopt(SO_ATTACH_FILTER)", errno);
  return NULL;
}

/* close(fd) */
static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &fd)) return NULL;
  if (close(fd) < 0) return throw_errno(env, "close", errno);
  return NULL;
}

/*
 * sendUnixDgram(path, data) -> bytes sent: one datagram to an AF_UNIX SOCK_DGRAM socket from a fresh
 * socket, closed again (sd_notify(3)). A path starting with '@' is an abstract address.
 * Non-blocking: a full receive queue throws EAGAIN instead of stalling the event loop.
 */
static napi_value SendUnixDgram(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct sockaddr_un sa;
  char path[sizeof sa.sun_path + 1];
  size_t plen;
  void *data;
  size_t len;
  if (!get_args(env, info, 2, argv) || !get_bytes(env, argv[1], &data, &len, 0)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &plen) != napi_ok) {
    napi_throw_type_error(env, NULL, "rawsock: expected a string");
    return NULL;
  }
  if (plen == 0) return throw_errno(env, "sendUnixDgram", EINVAL);
  if (plen > sizeof sa.sun_path) return throw_errno(env, "sendUnixDgram", ENAMETOOLONG);
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof path, &plen));
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  socklen_t alen;
  if (path[0] == '@') {
    if (plen < 2) return throw_errno(env, "sendUnixDgram", EINVAL);
    memcpy(sa.sun_path + 1, path + 1, plen - 1); /* sun_path[0] stays '\0' */
    alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
  } else {
    if (plen >= sizeof sa.sun_path) return throw_errno(env, "sendUnixDgram", ENAMETOOLONG);
    memcpy(sa.sun_path, path, plen);
    alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1);
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  ssize_t n;
  do {
    n = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa, alen);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (n < 0) return throw_errno(env, "sendto", err);
  return int_value(env, n);
}

/*
 * catchSignals([signo...]) -> fd: Node cannot name real-time signals (keepalived's SIGRTMIN+2 JSON
 * dump, SIGRTMIN+29 stats clear), whose default action ends the process. A process-wide sigaction
 * handler writes each caught signal's number as one byte to a datagram socketpair; the returned end
 * is read with poll() and recvmsg(). Async-signal-safe: the handler only calls send().
 */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int signo) {
  int saved = errno;
  unsigned char b = (unsigned char)signo;
  (void)send(signal_pipe[1], &b, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  errno = saved;
}

static napi_value CatchSignals(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t count;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_array_length(env, argv[0], &count) != napi_ok) {
    napi_throw_type_error(env, NULL, "rawsock: expected an array of signal numbers");
    return NULL;
  }
  if (signal_pipe[0] < 0 && socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, signal_pipe) < 0)
    return throw_errno(env, "socketpair", errno);
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    int32_t signo;
    CHECK(napi_get_element(env, argv[0], i, &v));
    if (napi_get_value_int32(env, v, &signo) != napi_ok || signo < 1 || signo > 64) return throw_errno(env, "catchSignals", EINVAL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(signo, &sa, NULL) < 0) return throw_errno(env, "sigaction", errno);
  }
  return int_value(env, signal_pipe[0]);
}

/* Readiness polling on Node's libuv loop. */
typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  int closing;
} poller_t;

static void on_poll_closed(uv_handle_t *h) {
  poller_t *p = (poller_t *)h->data;
  free(p);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  poller_t *p = (poller_t *)h->data;
  if (p->closing) return;
  /*
   * libuv reports POLLERR as UV_EBADF and stops the handle. On a socket that means a pending error
   * (sk_err: a netlink receive overrun sets ENOBUFS, an ICMP error reaches a raw socket): start
   * polling again and call back as readable, so the reader's next recvmsg() reports the error and
   * clears it, instead of the socket going deaf for good.
   */
  if (status == UV_EBADF && uv_poll_start(&p->handle, UV_READABLE, on_poll) == 0) status = 0;
  napi_env env = p->env;
  napi_handle_scope scope;
  napi_value cb, global, argv[2], ignored;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, p->callback, &cb) == napi_ok && cb != NULL && napi_get_global(env, &global) == napi_ok &&
      napi_create_int32(env, status, &argv[0]) == napi_ok && napi_create_int32(env, events, &argv[1]) == napi_ok) {
    if (napi_call_function(env, global, cb, 2, argv, &ignored) == napi_pending_exception) {
      napi_value exception;
      /* The TypeScript side catches its own errors; anything left is a bug: report, do not crash. */
      if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
}

/* poll(fd, callback(status, events)) -> handle: calls back whenever fd is readable */
static napi_value Poll(napi_env env, napi_callback_info info) {
  napi_value argv[2], handle;
  int32_t fd;
  uv_loop_t *loop;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd)) return NULL;
  CHECK(napi_get_uv_event_loop(env, &loop));
  poller_t *p = calloc(1, sizeof *p);
  if (!p) return throw_errno(env, "poll", ENOMEM);
  p->env = env;
  p->handle.data = p;
  if (napi_create_reference(env, argv[1], 1, &p->callback) != napi_ok) {
    free(p);
    napi_throw_error(env, NULL, "rawsock: cannot reference the callback");
    return NULL;
  }
  int rc = uv_poll_init(loop, &p->handle, fd);
  if (rc == 0) rc = uv_poll_start(&p->handle, UV_READABLE, on_poll);
  if (rc != 0) {
    napi_delete_reference(env, p->callback);
    if (uv_is_active((uv_handle_t *)&p->handle) || rc != UV_EBADF) uv_close((uv_handle_t *)&p->handle, on_poll_closed);
    else free(p);
    return throw_errno(env, "uv_poll", -rc);
  }
  if (napi_create_external(env, p, NULL, NULL, &handle) != napi_ok) {
    napi_throw_error(env, NULL, "rawsock: cannot create the poll handle");
    return NULL;
  }
  return handle;
}

/* pollStop(handle): stops and frees the poller (idempotent) */
static napi_value PollStop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  poller_t *p;
  if (!get_args(env, info, 1, argv)) return NULL;
  CHECK(napi_get_value_external(env, argv[0], (void **)&p));
  if (p == NULL || p->closing) return NULL;
  p->closing = 1;
  uv_poll_stop(&p->handle);
  napi_delete_reference(env, p->callback);
  uv_close((uv_handle_t *)&p->handle, on_poll_closed);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"socket", NULL, Socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setsockopt", NULL, SetSockOpt, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bind", NULL, Bind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendto", NULL, SendTo, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvmsg", NULL, RecvMsg, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvmmsg", NULL, RecvMmsg, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attachFilter", NULL, AttachFilter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendUnixDgram", NULL, SendUnixDgram, NULL, NULL, NULL, napi_enumerable, NULL},
      {"catchSignals", NULL, CatchSignals, NULL, NULL, NULL, napi_enumerable, NULL},
      {"poll", NULL, Poll, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pollStop", NULL, PollStop, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
