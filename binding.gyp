{
  "targets": [
    {
      "target_name": "rawsock",
      "sources": ["native/rawsock.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
