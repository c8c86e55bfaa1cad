{
  "targets": [
    {
      "target_name": "lmkit_tfjs_native",
      "sources": [
        "native/addon.c",
        "native/args.c",
        "native/sgemm.c",
        "native/threads.c",
        "native/unary.c",
        "native/binary.c",
        "native/reduce.c",
        "native/layernorm.c",
        "native/pool.c",
        "native/attention.c",
        "native/optimizer.c",
        "native/cross_entropy.c",
        "native/decode.c",
        "native/gather.c",
        "native/linear.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2"],
      "libraries": ["-lopenblas", "-lpthread"],
      "conditions": [
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/opt/openblas/include", "/usr/local/opt/openblas/include"],
          "libraries": ["-L/opt/homebrew/opt/openblas/lib", "-L/usr/local/opt/openblas/lib"],
          "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11"] }
        }]
      ]
    }
  ]
}
