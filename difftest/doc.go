// Package difftest compares seccomp-go with the real libseccomp, linked
// through github.com/seccomp/libseccomp-golang (cgo, Debian's
// libseccomp-dev 2.5.4). It is a separate module so that the library
// itself stays free of cgo; a missing libseccomp fails the build, and with
// it the tests.
//
// A [RuleSet] describes a filter independently of either library: the
// default action, the architectures, and an ordered list of API calls.
// [BuildLib] and [BuildOurs] make those calls through each library and
// export the program. [Compare] then checks
//
//   - the verdict of every call: accepted, or rejected with the same error
//     class ([ErrClass]: the errno, including the ones libseccomp-golang
//     turns into plain errors);
//   - the decision of both programs, run by bpf.VM (and the libseccomp
//     program also by a small independent interpreter, to cross-check
//     bpf.VM), on every probe of [BuildProbes]: every syscall number
//     -1..1023 (plus the ABI base on MIPS) on each architecture of the
//     filter, the x32 numbers on AUDIT_ARCH_X86_64, foreign architecture
//     tokens, and argument vectors built around every constant of the
//     rules (±1, high word set, low or high word alone, edges), with the
//     socketcall and ipc multiplexers probed for every sub-call;
//   - that ScmpFilter.Verify proves our program equal to its rules on
//     every input.
//
// Inputs: Docker's default profile (the oci package's embedded copy) and
// containers/common's seccomp.json (testdata), resolved by the oci package
// for Docker's default capabilities and for all capabilities on six
// little-endian ABIs and turned into runc's API calls ([Translate]); at
// least 1000 seeded random rule sets ([RandomRuleSet]); and fuzz targets
// whose seed corpora are replayed by plain go test.
//
// Known differences are excluded as narrowly as possible and counted (see
// exclusions.go and defects.go): syscall table changes between 2.5.4 and
// 2.6.1; the GHSA-4q85-33p6-j5g6 tree-merge fix of 2.6.1; and probes on
// which libseccomp's own program compares a stale accumulator (a
// code-generation defect of 2.5.4 and 2.6.1 alike). libseccomp also hangs
// in seccomp_rule_add on some rule sets and crashed after an architecture
// removal, so random rule sets go through it in a worker process
// ([Worker]) that is restarted when that happens.
//
// Benchmarks on Docker's default profile (BenchmarkDockerCompile,
// BenchmarkLiveSyscall) compare compile time, program size and
// instructions executed with libseccomp -O1 and -O2.
// BenchmarkNotifyRoundTrip times a user-notification round trip answered
// through libseccomp-golang and through seccomp-go.
//
// BenchmarkWholeProcess compares whole processes, from exec to exit:
// "scmp compile" against internal/cmd/lscompile, which builds the profile
// through libseccomp-golang as runc does, and internal/cmd/gofloor, a Go
// program that only reads the profile and writes a fixed program.
//
// TestRunc compares the program and seccomp(2) flags oci.InitSeccomp
// loads with those runc (libcontainer/seccomp.InitSeccomp, v1.3) loads,
// both read from traced child processes (PTRACE_SECCOMP_GET_FILTER and
// the registers at the seccomp call), for Docker's and
// Podman's profiles and for profiles that exercise runc's other rules. runc's seccomp code is built only with the
// seccomp build tag; without it that test fails and says so.
//
// TestLibseccompSuite runs libseccomp 2.6.1's own regression programs
// (tests/NN-*.c with bpf-sim vectors), fetched through the Go module proxy
// at test time and kept only in the module cache, against seccomp-go: a C
// shim (testdata/scmpshim) forwards each libseccomp call to the test,
// which makes it through seccomp-go and returns seccomp-go's result, and
// the exported filters are checked against the vectors of the .tests files
// with the bpf interpreter. Without the download it is skipped, or fails
// when CI=true.
//
// Run everything with
//
//	cd difftest && go test -tags seccomp ./...
//	go test -tags seccomp -run '^$' -bench . -benchtime 1s
//	go test -run '^$' -fuzz FuzzRuleSet -fuzztime 60s
//
// With DIFFTEST_NO_EXCLUSIONS=1 and the module linked against a libseccomp
// 2.6.1 built from source (PKG_CONFIG_PATH and an rpath in CGO_LDFLAGS),
// the same tests check that no exclusion is needed there.
package difftest
