# Every check a change must pass. `make test` is what CI runs.

SHELL := /bin/bash
GO ?= go
# Summary lines the tests log (counts of vectors, rule sets, probes) that
# `make test` shows besides go test's own per-package lines.
COUNTS := '^(ok|FAIL|---)|conformance:|random rule sets:|profiles: |oci.NewFilter against|names: |numbers: |docker-default'
LOGDIR ?= $(or $(TMPDIR),/tmp)
CROSS_ARCHES := amd64 386 arm64 arm riscv64 ppc64le s390x mips64le loong64
# How long `make fuzz` runs each fuzz target, and flags for go test -fuzz
# (for example FUZZFLAGS=-parallel=1).
FUZZTIME ?= 30s
FUZZFLAGS ?=
# The oldest Go the modules support (their go directive), newest patch
# release; the go command downloads it once through the module proxy.
OLDGO ?= go1.23.12

.PHONY: test check build cross unit difftest fuzz generate bench oldgo clientcheck compat

test: check build cross unit difftest oldgo clientcheck compat fuzz

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
	@echo "cd difftest && SECCOMP_GO_PROVE=1 CGO_ENABLED=1 go test -tags seccomp -count=1 -v ./..."
	@cd difftest && SECCOMP_GO_PROVE=1 CGO_ENABLED=1 $(GO) test -tags seccomp -count=1 -v ./... > $(LOGDIR)/seccomp-go-difftest.log 2>&1 \
		|| { cat $(LOGDIR)/seccomp-go-difftest.log; exit 1; }
	@grep -E $(COUNTS) $(LOGDIR)/seccomp-go-difftest.log | grep -v -- '--- PASS'

# Every fuzz target of both modules (found by their `func Fuzz` lines),
# one at a time for FUZZTIME each; stops at the first failure, which
# leaves the failing input under the package's testdata/fuzz.
fuzz:
	@for mod in . difftest; do \
		if [ $$mod = difftest ]; then cgo=CGO_ENABLED=1; else cgo=; fi; \
		targets=$$(cd $$mod && grep -rEo --include='*_test.go' --exclude-dir=testdata '^func Fuzz[A-Za-z0-9_]*' . \
			| grep -v '^\./difftest/' | sed -E 's|^(.*)/[^/]*:func (.*)$$|\1 \2|' | sort -u); \
		[ -n "$$targets" ] || { echo "no fuzz targets in $$mod"; exit 1; }; \
		while read -r pkg name; do \
			log=$(LOGDIR)/seccomp-go-fuzz-$$name.log; \
			if [ $$mod = . ]; then pre=; else pre="cd $$mod && $$cgo "; fi; \
			echo "$${pre}go test -run '^$$' -fuzz '^$$name$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) $$pkg"; \
			(cd $$mod && env $$cgo $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $$pkg) > $$log 2>&1 \
				|| { cat $$log; exit 1; }; \
			grep -Eo 'execs: [0-9]+' $$log | tail -1 | sed "s|^|fuzz: $$name: |"; \
		done <<< "$$targets"; \
	done

# Vet, build and test both modules with the oldest supported Go.
oldgo:
	GOTOOLCHAIN=$(OLDGO) $(GO) vet ./...
	GOTOOLCHAIN=$(OLDGO) CGO_ENABLED=0 $(GO) build ./...
	GOTOOLCHAIN=$(OLDGO) $(GO) test -count=1 ./...
	cd difftest && GOTOOLCHAIN=$(OLDGO) CGO_ENABLED=1 $(GO) vet -tags seccomp ./...
	cd difftest && GOTOOLCHAIN=$(OLDGO) CGO_ENABLED=1 $(GO) test -tags seccomp -count=1 ./...

# A client at go 1.23 and runtime-spec v1.2.1 takes the module without
# go mod tidy raising either, and builds, with this Go and the oldest.
clientcheck:
	scripts/clientcheck.sh $(GO)
	GOTOOLCHAIN=$(OLDGO) scripts/clientcheck.sh $(GO)

# The seccomp tests of runc, containers/common and cri-o, downloaded through
# the Go module proxy, with libseccomp-golang replaced by this module.
compat:
	GO=$(GO) scripts/compat/compat.sh

generate:
	$(GO) generate ./...

bench:
	cd difftest && CGO_ENABLED=1 $(GO) test -run '^$$' -bench . -benchmem ./...
