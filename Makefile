# Every check a change must pass. `make test` is what CI runs.

SHELL := /bin/bash
GO ?= go
# Summary lines the tests log (counts of vectors, rule sets, probes) that
# `make test` shows besides go test's own per-package lines.
COUNTS := '^(ok|FAIL|---)|conformance:|random rule sets:|profiles: |oci.NewFilter against|names: |numbers: |docker-default'
LOGDIR ?= $(or $(TMPDIR),/tmp)
CROSS_ARCHES := amd64 386 arm64 arm riscv64 ppc64le s390x mips64le loong64

.PHONY: test check build cross unit difftest compat generate bench

test: check build cross unit difftest compat

# Formatting and vet, for both modules.
check:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd difftest && $(GO) vet ./...

# The library and CLI must build without cgo.
build:
	CGO_ENABLED=0 $(GO) build ./...

cross:
	@for a in $(CROSS_ARCHES); do \
		echo "CGO_ENABLED=0 GOOS=linux GOARCH=$$a go build ./..."; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$a $(GO) build ./... || exit 1; \
	done

# SECCOMP_GO_PROVE=1 proves every program any test compiles equal to its
# rules (see verify.go), not only the programs a test proves on purpose.
unit:
	@echo "SECCOMP_GO_PROVE=1 go test -count=1 -v ./..."
	@SECCOMP_GO_PROVE=1 $(GO) test -count=1 -v ./... > $(LOGDIR)/seccomp-go-unit.log 2>&1 \
		|| { cat $(LOGDIR)/seccomp-go-unit.log; exit 1; }
	@grep -E $(COUNTS) $(LOGDIR)/seccomp-go-unit.log | grep -v -- '--- PASS'

# Differential tests against the real libseccomp (cgo, libseccomp-dev).
difftest:
	@echo "cd difftest && SECCOMP_GO_PROVE=1 CGO_ENABLED=1 go test -count=1 -v ./..."
	@cd difftest && SECCOMP_GO_PROVE=1 CGO_ENABLED=1 $(GO) test -count=1 -v ./... > $(LOGDIR)/seccomp-go-difftest.log 2>&1 \
		|| { cat $(LOGDIR)/seccomp-go-difftest.log; exit 1; }
	@grep -E $(COUNTS) $(LOGDIR)/seccomp-go-difftest.log | grep -v -- '--- PASS'

# The seccomp tests of runc, containers/common and cri-o, downloaded through
# the Go module proxy, with libseccomp-golang replaced by this module.
compat:
	GO=$(GO) scripts/compat/compat.sh

generate:
	$(GO) generate ./...

bench:
	cd difftest && CGO_ENABLED=1 $(GO) test -run '^$$' -bench . -benchmem ./...
