# skiff — the two commands a new user runs (README):
#   make demo   install what is missing, build, run a busybox container
#   make test   the whole test suite (what .ci/run runs)
# Both are idempotent and need root on Debian/Ubuntu.

SHELL := /bin/bash
# Node's own headers (Debian/NodeSource install them beside node); node-gyp
# would otherwise try to download them.
NODEDIR ?= $(shell node -p "require('path').resolve(process.execPath, '../..')")
DEB_PACKAGES := g++ make python3 busybox-static libseccomp-dev libzstd-dev procps nftables
DEB_TEST_PACKAGES := g++-aarch64-linux-gnu runc docker-registry skopeo apache2-utils debootstrap umoci libarchive-tools zstd buildah podman golang-github-docker-docker-dev golang-github-containers-common docker.io containerd python3-docker docker-compose
BUNDLE := rootfs-fixtures/out/busybox
NATIVE_SOURCES := $(wildcard native/*/*.cc native/*/*.h)

.PHONY: all deps test-deps build fixtures code-cache db-fixture demo test unit integration test-warm cross-arm64 bench bench-engines runc-bats clean lab-check

all: build

# Installs only what is missing; `apt-get update` runs once, only if needed.
deps:
	@missing=$$(for p in $(DEB_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing </dev/null; \
	fi
	@[ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund

test-deps:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(DEB_TEST_PACKAGES)"

build/Release/skiff-setup build/Release/skiff-monitor build/Release/skiff-init build/Release/skiff-launcher &: $(NATIVE_SOURCES) binding.gyp
	node_modules/.bin/node-gyp rebuild --nodedir=$(NODEDIR) --loglevel=warn

# tsc type-checks and compiles src/ and test/; esbuild then bundles the CLI
# into one CommonJS file, which starts far sooner than the module graph.
build: deps build/Release/skiff-setup build/Release/skiff-monitor build/Release/skiff-init build/Release/skiff-launcher
	node_modules/.bin/tsc -p .
	for cli in runtime/cli:skiff-runtime engine/cli:skiff; do \
	  node_modules/.bin/esbuild dist/src/$${cli%%:*}.js --bundle --platform=node --format=cjs --target=node20 \
	    --outfile=dist/bundle/$${cli##*:}.cjs --log-level=warning \
	    --define:import.meta.url=__skiffModuleUrl \
	    --banner:js="const __skiffModuleUrl = require('node:url').pathToFileURL(__filename).href;" || exit 1; \
	done

fixtures: build rootfs-fixtures/out/seccomp-agent
	rootfs-fixtures/build-busybox-bundle.sh $(BUNDLE)
	rootfs-fixtures/demo-config.sh $(BUNDLE)
	@[ rootfs-fixtures/out/images/busybox-image.tar -nt rootfs-fixtures/out/busybox/.stamp ] || \
	  node rootfs-fixtures/build-busybox-image.mjs $(BUNDLE)/rootfs rootfs-fixtures/out/images
	@$(MAKE) --no-print-directory code-cache

# The seccomp agent the notify tests hand a listener fd to (a host program).
rootfs-fixtures/out/seccomp-agent: rootfs-fixtures/seccomp-agent.c
	@mkdir -p rootfs-fixtures/out
	$(CC) -O2 -Wall -o $@ $< -lseccomp

# V8 code caches for the two CLIs (bin/launch.js): written by one real
# container start each, on a throwaway root, so that they hold what a start
# compiles. Nothing of that root is left.
code-cache:
	@root=$$(mktemp -d /tmp/skiff-code-cache.XXXXXX); \
	rm -f dist/bundle/*.v8cache; \
	bin/skiff --root $$root load -q -i rootfs-fixtures/out/images/busybox-image.tar >/dev/null && \
	SKIFF_WRITE_CODE_CACHE=1 bin/skiff --root $$root run --rm --network none busybox true && \
	SKIFF_WRITE_CODE_CACHE=1 bin/skiff-runtime --root $$root/runtime run -b $(BUNDLE) skiff-code-cache >/dev/null; \
	rc=$$?; rm -rf $$root; \
	[ $$rc = 0 ] && echo "code caches: $$(cd dist/bundle && ls *.v8cache | tr '\n' ' ')" || echo "code caches not made (exit $$rc); the CLIs compile as before"

# A Debian image with MariaDB for the volume tests (debootstrap, a few
# minutes the first time, cached after). Exit 3: the Debian mirror cannot be
# reached, and the database tests say they are skipped.
db-fixture: test-deps
	@rootfs-fixtures/build-mariadb-image.sh rootfs-fixtures/out/images || [ $$? = 3 ]

demo: fixtures
	@echo '--- skiff load: the busybox fixture image, offline ---'
	bin/skiff load -i rootfs-fixtures/out/images/busybox-image.tar
	bin/skiff images busybox
	@echo '--- skiff run: a container from the busybox image, under its monitor ---'
	bin/skiff run --rm --name skiff-demo busybox sh -c 'echo "hello from container $$(hostname), PID $$$$"; ls /'
	@echo '--- skiff-runtime run demo (busybox bundle) ---'
	@bin/skiff-runtime delete --force skiff-demo >/dev/null 2>&1 || true
	cd $(BUNDLE) && ../../../bin/skiff-runtime run skiff-demo

# The native code must also compile for arm64 hosts (compile only).
cross-arm64: test-deps
	@mkdir -p build/cross-arm64
	@for src in native/setup/*.cc native/monitor/*.cc native/init/*.cc native/launcher/*.cc; do \
	  aarch64-linux-gnu-g++ -std=c++17 -Wall -Wextra -Werror -c $$src -o build/cross-arm64/$$(basename $$src .cc).o || exit 1; \
	done
	@for src in native/addon/*.cc; do \
	  aarch64-linux-gnu-g++ -std=c++17 -Wall -Wextra -Werror -fPIC -c $$src \
	    -I$(NODEDIR)/include/node -I$$(node -p "require('node-addon-api').include_dir") \
	    -DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS -o build/cross-arm64/addon-$$(basename $$src .cc).o || exit 1; \
	done
	@echo "cross-arm64: native code compiles for aarch64"

unit: build
	node_modules/.bin/ava 'dist/test/unit/**/*.test.js'

integration: fixtures db-fixture
	node_modules/.bin/ava 'dist/test/integration/**/*.test.js'

# The same integration tests again, every CLI command handed to a warm
# service (`skiff serve`, docs/warm-path.md) by the native launchers: what
# a user with the service running gets must be what a cold command does.
WARM_TESTS := terminal lifecycle exec engine-run
test-warm: fixtures
	@work=$$(mktemp -d /tmp/skiff-test-warm.XXXXXX); \
	export SKIFF_SERVICE_SOCKET=$$work/cli.sock; \
	bin/skiff -D --root $$work/engine serve --warm-workers 3 -H unix://$$work/api.sock 2>$$work/serve.log & pid=$$!; \
	for _ in $$(seq 100); do [ -S $$work/cli.sock ] && break; sleep 0.1; done; \
	node_modules/.bin/ava $(WARM_TESTS:%=dist/test/integration/%.test.js); rc=$$?; \
	kill $$pid; wait $$pid; \
	used=$$(grep -c 'handed to worker' $$work/serve.log); rm -rf $$work; \
	echo "test-warm: $$used commands went through the warm service"; \
	[ $$rc = 0 ] && [ $$used -gt 0 ]

test: test-deps fixtures db-fixture cross-arm64
	node_modules/.bin/ava
	@$(MAKE) --no-print-directory test-warm
	test/leakcheck.sh

# The course track (docs/labs/): checks a learner's running container from
# outside. make lab-check LEVEL=3 ID=c1 [ROOT=/run/skiff-runtime]
lab-check:
	@test/labs/check.sh "$(LEVEL)" "$(ID)" $(ROOT)

# runc's own integration tests (opencontainers/runc tests/integration, bats)
# against skiff-runtime. Not part of `make test`: runc's source is not fetched
# here (CI cannot). docs/runc-integration.md says how and what fails.
#   make runc-bats RUNC_SRC=/path/to/runc-1.1.5 [RUNC_BATS="run.bats exec.bats"] [RUNTIME=/usr/sbin/runc]
runc-bats: fixtures
	@[ -n "$(RUNC_SRC)" ] || { echo "make runc-bats: set RUNC_SRC to a runc v1.1.5 checkout (docs/runc-integration.md)" >&2; exit 2; }
	test/runc-bats/run.sh $(RUNC_SRC) $(or $(RUNTIME),$(CURDIR)/bin/skiff-runtime) $(RUNC_BATS)

bench: fixtures test-deps
	bench/runtime.sh

# skiff-runtime under ctr, dockerd and podman, against runc under each.
bench-engines: fixtures test-deps
	bench/engines-runtime.sh

clean:
	rm -rf build dist rootfs-fixtures/out
