{
  # Two targets, like node-pty: the addon that Node loads (small synchronous
  # syscalls Node lacks: flock, mkfifo, kernel constants) and the helper
  # executable that sets a container up in a fresh single-threaded process.
  "targets": [
    {
      "target_name": "skiff_native",
      "sources": ["native/addon/addon.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    },
    {
      "target_name": "skiff-setup",
      "type": "executable",
      "sources": [
        "native/setup/main.cc",
        "native/setup/protocol.cc",
        "native/setup/steps.cc",
        "native/setup/steps_paths.cc",
        "native/setup/steps_mounts.cc",
        "native/setup/steps_devices.cc",
        "native/setup/steps_process.cc",
        "native/setup/steps_seccomp.cc",
        "native/setup/steps_terminal.cc",
        "native/setup/steps_exec.cc",
        "native/setup/init.cc"
      ],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os"],
      "cflags_cc!": ["-fno-rtti"],
      "libraries": ["-lseccomp"]
    }
  ]
}
