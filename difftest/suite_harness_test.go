package difftest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
)

// The tests in this file check that TestLibseccompSuite's harness can
// fail: a wrong expectation, a wrong return code and a missing export
// must each be reported.

func TestExpandArchSpec(t *testing.T) {
	groups := map[string][]string{
		"all_le": {"x86", "x86_64", "aarch64"},
		"all_be": {"s390x", "ppc64"},
		"all_32": {"x86"},
		"all_64": {"x86_64", "aarch64", "s390x", "ppc64"},
	}
	tests := []struct {
		spec, native string
		want         []string
	}{
		{"all", "x86_64", []string{"x86_64"}},
		{"all,-x86_64", "x86_64", nil},
		{"x86", "x86_64", nil},
		{"x86", "x86", []string{"x86"}},
		{"all_32", "x86_64", nil},
		{"all_le", "x86_64", []string{"x86_64"}},
		{"+x86,+s390x", "aarch64", []string{"x86", "s390x"}},
		{"+all_be,-ppc64", "x86_64", []string{"s390x"}},
		{"-x86,+all_le", "x86_64", []string{"x86_64", "aarch64"}},
	}
	for _, tt := range tests {
		if got := expandArchSpec(tt.spec, tt.native, groups); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("expandArchSpec(%q, %q) = %q, want %q", tt.spec, tt.native, got, tt.want)
		}
	}
}

// TestSimVectorCheck runs vectors, parsed from a .tests file of our own,
// against a filter that allows read(0, ...) on x86_64 and kills
// everything else.
func TestSimVectorCheck(t *testing.T) {
	f, err := ours.NewFilter(ours.ActKillThread)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	native, err := ours.GetNativeArch()
	if err != nil {
		t.Fatal(err)
	}
	if native != ours.ArchAMD64 {
		if err := f.AddArch(ours.ArchAMD64); err != nil {
			t.Fatal(err)
		}
		if err := f.RemoveArch(native); err != nil {
			t.Fatal(err)
		}
	}
	read, err := ours.GetSyscallFromNameByArch("read", ours.ArchAMD64)
	if err != nil {
		t.Fatal(err)
	}
	cond, err := ours.MakeCondition(0, ours.CompareEqual, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddRuleConditional(read, ours.ActAllow, []ours.ScmpCondition{cond}); err != nil {
		t.Fatal(err)
	}
	raw, err := f.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "99-sim-check.tests")
	text := strings.Join([]string{
		"# made up for this test",
		"test type: bpf-sim",
		"99-sim-check x86_64 read 0 N N N N N ALLOW",      // right
		"99-sim-check x86_64 read 1-3 N N N N N KILL",     // right, 3 inputs
		"99-sim-check x86_64 0-5 0 N N N N N ALLOW",       // wrong from nr 1 on
		"99-sim-check x86_64 4-5 0-1 N N N N 2-4 KILL",    // right, 12 inputs
		"99-sim-check x86_64 read 0 N N N N N ERRNO(1)",   // wrong result
		"99-sim-check x86_64 4294967295 N N N N N N KILL", // nr -1
		"test type: bpf-sim-fuzz",
		"99-sim-check 5",
	}, "\n")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	vs, err := parseSimVectors(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 6 {
		t.Fatalf("parsed %d vectors, want 6", len(vs))
	}
	prog := newSimProgram(raw)
	want := []struct {
		inputs int
		fails  bool
	}{{1, false}, {3, false}, {2, true}, {12, false}, {1, true}, {1, false}}
	for i, v := range vs {
		n, err := prog.check(arch.X86_64, v)
		if n != want[i].inputs || (err != nil) != want[i].fails {
			t.Errorf("%s: %d inputs, error %v; want %d inputs, failure %v", v, n, err, want[i].inputs, want[i].fails)
		}
	}

	if err := os.WriteFile(file, []byte("test type: bpf-sim\n99-sim-check all read 0 N N N N ALLOW\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := parseSimVectors(file); err == nil {
		t.Error("a bpf-sim line with 9 fields was accepted")
	}
	huge := simVector{syscall: "0-1000", args: [6]string{"0-0xffffffff", "N", "N", "N", "N", "N"}, result: "KILL"}
	if _, err := prog.check(arch.X86_64, huge); err == nil {
		t.Error("a vector of 2^42 inputs was run")
	}
}

// TestLibseccompSuiteWrongAnswers gives test programs of the suite a
// wrong return code and checks that the harness reports it.
func TestLibseccompSuiteWrongAnswers(t *testing.T) {
	native := arch.Native()
	if native == nil {
		t.Skip("no libseccomp ABI for this GOARCH")
	}
	b := newSuiteBuild(t)
	level, err := ours.GetAPI()
	if err != nil {
		t.Fatal(err)
	}
	defer ours.SetAPI(level)
	tests := []struct {
		program string
		request string // prefix of the request whose answer is replaced
		answer  string
	}{
		// A call the program needs to succeed fails.
		{"02-sim-basic", "rule_add ", "-22"},
		// A call that must fail with EEXIST succeeds.
		{"42-sim-adv_chains", "rule_add 1 1 0x30000 1002 ", "0"},
		// A call that must fail succeeds; the program then exits
		// without exporting its filter.
		{"29-sim-pseudo_syscall", "rule_add ", "0"},
		// An architecture the program removed is still there.
		{"16-sim-arch_basic", "arch_exist 1 0x0", "0"},
	}
	for _, tt := range tests {
		exe, err := b.program(tt.program)
		if err != nil {
			t.Fatal(err)
		}
		replay := newShimReplay(native)
		amended := 0
		replay.amend = func(req, answer string) string {
			if amended == 0 && strings.HasPrefix(req, tt.request) {
				amended++
				return tt.answer
			}
			return answer
		}
		_, err = runShimmed(exe, replay)
		replay.release()
		if amended == 0 {
			t.Errorf("%s: no request starts with %q", tt.program, tt.request)
			continue
		}
		if err == nil && replay.exported != nil {
			t.Errorf("%s: answering %q with %s went unnoticed", tt.program, tt.request, tt.answer)
		}
	}
}
