{
  # Two targets, like node-pty: the addon that Node loads (small synchronous
  # syscalls Node lacks: flock, mkfifo, kernel constants) and the helper
  # executable that sets a container up in a fresh single-threaded process.
  "targets": [
    {
      "target_name": "skiff_native",
      "sources": ["native/addon/addon.cc", "native/addon/netlink.cc", "native/addon/zstd.cc", "native/addon/gunzip.cc"],
      "libraries": ["-lzstd"],
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
        "native/setup/init.cc",
        "native/setup/steps_course.cc",
        "native/setup/trace.cc"
      ],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os"],
      "cflags_cc!": ["-fno-rtti"],
      "libraries": ["-lseccomp"],
      # --trace: calls to these reach trace.cc's __wrap_NAME (ld(1) --wrap).
      "ldflags": ["-Wl,--wrap=mount,--wrap=umount2,--wrap=chroot,--wrap=chdir,--wrap=fchdir,--wrap=sethostname,--wrap=setdomainname,--wrap=unshare,--wrap=setns,--wrap=mknodat,--wrap=symlinkat,--wrap=mkdirat,--wrap=setresuid,--wrap=setresgid,--wrap=setgroups,--wrap=prlimit64,--wrap=umask,--wrap=open64,--wrap=openat64,--wrap=prctl,--wrap=execve,--wrap=seccomp_load,--wrap=syscall"]
    },
    {
      # The per-container monitor and the --init program: static, libc only,
      # no C++ runtime, so each costs a few hundred KB of memory and runs in any image.
      "target_name": "skiff-monitor",
      "type": "executable",
      "sources": ["native/monitor/monitor.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os", "-fno-exceptions", "-fno-rtti", "-fno-asynchronous-unwind-tables"],
      "ldflags": ["-static", "-Wl,--gc-sections"]
    },
    {
      # bin/skiff and bin/skiff-runtime: hands a command to the warm service
      # or execs node (native/launcher/launcher.cc). Static: nothing to load.
      "target_name": "skiff-launcher",
      "type": "executable",
      "sources": ["native/launcher/launcher.cc", "native/setup/protocol.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os", "-fno-rtti"],
      "ldflags": ["-static", "-Wl,--gc-sections"]
    },
    {
      "target_name": "skiff-init",
      "type": "executable",
      "sources": ["native/init/skiff-init.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os", "-fno-exceptions", "-fno-rtti"],
      "ldflags": ["-static"]
    }
  ]
}
