package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// enosysProfile denies by default with EPERM, allows read and close_range
// (5.9) and refuses mount with EACCES.
const enosysProfile = `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], "syscalls": [
	{"names": ["read", "close_range"], "action": "SCMP_ACT_ALLOW"},
	{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`

func TestSimENOSYSAfter(t *testing.T) {
	profile := writeFile(t, "p.json", []byte(enosysProfile))
	tests := []struct {
		flags   []string
		arch    string
		syscall string
		want    string
	}{
		{nil, "x86_64", "openat2", "ERRNO(1)"},
		{[]string{"--enosys-after", "5.4"}, "x86_64", "openat2", "ERRNO(38)"},
		{[]string{"--enosys-after=5.6"}, "x86_64", "openat2", "ERRNO(1)"},
		{[]string{"--enosys-after", "5.4"}, "x86_64", "pidfd_open", "ERRNO(1)"},
		{[]string{"--enosys-after", "5.4"}, "x86_64", "close_range", "ALLOW"},
		{[]string{"--enosys-after", "5.4"}, "x86_64", "mount", "ERRNO(13)"},
		{[]string{"--enosys-after", "5.4"}, "aarch64", "openat2", "ERRNO(38)"},
		{[]string{"--enosys-after", "3.5"}, "aarch64", "openat", "ERRNO(38)"}, // arm64 came in 3.7
		{[]string{"--enosys-after", "3.5"}, "x86_64", "openat", "ERRNO(1)"},
		{[]string{"--enosys-after", "2.6.15"}, "x86_64", "openat", "ERRNO(38)"}, // openat: 2.6.16
		{[]string{"--enosys-after", "2.6.16"}, "x86_64", "openat", "ERRNO(1)"},
	}
	for _, tt := range tests {
		args := append(append([]string{"sim", "--arch", tt.arch}, tt.flags...), profile, tt.syscall)
		out, errs, st := cli(t, "", args...)
		if st != 0 || !strings.Contains(out, "action: "+tt.want+"\n") {
			t.Errorf("scmp %q: status %d, stdout %q, stderr %q; want action %s", args, st, out, errs, tt.want)
		}
	}
}

func TestCompileENOSYSAfter(t *testing.T) {
	profile := writeFile(t, "p.json", []byte(enosysProfile))
	dir := t.TempDir()
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{nil, "ERRNO(1)"},
		{[]string{"--enosys-after", "5.4"}, "ERRNO(38)"},
	} {
		out := filepath.Join(dir, "f.bpf")
		args := append(append([]string{"compile", "--arch", "x86_64"}, tt.flags...), "-o", out, profile)
		if _, errs, st := cli(t, "", args...); st != 0 {
			t.Fatalf("scmp %q: status %d, stderr %q", args, st, errs)
		}
		sim, errs, st := cli(t, "", "sim", "--arch", "x86_64", out, "openat2")
		if st != 0 || !strings.Contains(sim, "action: "+tt.want+"\n") {
			t.Errorf("sim of %q openat2: status %d, stdout %q, stderr %q; want %s", args, st, sim, errs, tt.want)
		}
		os.Remove(out)
	}
	for _, cmd := range [][]string{
		{"compile", "--enosys-after", "five", profile},
		{"sim", "--enosys-after", "5", profile, "read"},
		{"run", "--enosys-after", "x.y", "--", "true"},
	} {
		_, errs, st := cli(t, "", cmd...)
		want := 2
		if cmd[0] == "run" {
			want = exitRunFailed
		}
		if st != want || !strings.Contains(errs, "-enosys-after") || !strings.Contains(errs, "such as 5.4") {
			t.Errorf("scmp %q: status %d, stderr %q; want %d and an error naming --enosys-after and the form", cmd, st, errs, want)
		}
	}
}

func TestRunENOSYSAfter(t *testing.T) {
	requireSeccomp(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Allow by default, so that the test binary starts; close_range
	// (5.9) on an empty range fails with EINVAL where the kernel has it.
	profile := writeFile(t, "allow.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["getpriority"],"action":"SCMP_ACT_ERRNO","errnoRet":18}]}`))
	tests := []struct {
		flags []string
		call  string
		want  string
	}{
		{nil, "close_range:1000,999,0", "ret=-1 errno=22\n"},
		{[]string{"--enosys-after", "5.4"}, "close_range:1000,999,0", "ret=-1 errno=38\n"},
		{[]string{"--enosys-after", "5.9"}, "close_range:1000,999,0", "ret=-1 errno=22\n"},
		{[]string{"--enosys-after", "5.4"}, "getpriority:0,0", "ret=-1 errno=18\n"},
	}
	for _, tt := range tests {
		t.Setenv(helperEnv, tt.call)
		args := append(append([]string{"run", "--profile", profile}, tt.flags...), "--", self)
		out, errs, st := cli(t, "", args...)
		if st != 0 || !strings.HasSuffix(out, tt.want) {
			t.Errorf("%q %s: status %d, stdout %q, stderr %q; want 0 and %q", tt.flags, tt.call, st, out, errs, tt.want)
		}
	}
}

// TestSimENOSYSAboveTable checks the stub of --enosys-after in sim:
// syscall numbers above an architecture's table fail with ENOSYS; the
// numbers of the table, used or not, and those of other ABIs keep the
// filter's decision; without the flag every unknown number takes the
// default action.
func TestSimENOSYSAboveTable(t *testing.T) {
	profile := writeFile(t, "p.json", []byte(enosysProfile))
	after := []string{"--enosys-after", "5.4"}
	above := fmt.Sprint(arch.X86_64.MaxSyscall() + 1)
	top := fmt.Sprint(arch.X86_64.MaxSyscall())
	tests := []struct {
		flags   []string
		arch    string
		syscall string
		want    string
	}{
		{nil, "x86_64", "1000", "ERRNO(1)"},
		{after, "x86_64", "1000", "ERRNO(38)"},
		{nil, "x86_64", above, "ERRNO(1)"},
		{after, "x86_64", above, "ERRNO(38)"},
		{after, "x86_64", "0x3fffffff", "ERRNO(38)"},
		{after, "x86_64", top, "ERRNO(38)"},     // the newest syscall: not in 5.4
		{after, "x86_64", "400", "ERRNO(1)"},    // a gap in the table
		{after, "x86_64", "getpid", "ERRNO(1)"}, // in 5.4, not named
		{after, "x86_64", "read", "ALLOW"},
		{nil, "aarch64", "1000", "ERRNO(1)"},
		{after, "aarch64", "1000", "ERRNO(38)"},
		// The profile has no x32: its numbers take the bad-arch action.
		{nil, "x86_64", "0x400003e8", "KILL_THREAD"},
		{after, "x86_64", "0x400003e8", "KILL_THREAD"},
	}
	for _, tt := range tests {
		args := append(append([]string{"sim", "--arch", tt.arch}, tt.flags...), profile, tt.syscall)
		out, errs, st := cli(t, "", args...)
		if st != 0 || !strings.Contains(out, "action: "+tt.want+"\n") {
			t.Errorf("scmp %q: status %d, stdout %q, stderr %q; want action %s", args, st, out, errs, tt.want)
		}
	}
}

// TestCompileENOSYSAboveTable checks that compile writes the program with
// the stub, and that its PFC output says what the stub does.
func TestCompileENOSYSAboveTable(t *testing.T) {
	profile := writeFile(t, "p.json", []byte(enosysProfile))
	dir := t.TempDir()
	sizes := map[bool]int{}
	for _, flag := range []bool{false, true} {
		var flags []string
		want := "ERRNO(1)"
		if flag {
			flags, want = []string{"--enosys-after", "5.4"}, "ERRNO(38)"
		}
		out := filepath.Join(dir, fmt.Sprintf("f%v.bpf", flag))
		args := append(append([]string{"compile", "-v", "--arch", "x86_64"}, flags...), "-o", out, profile)
		_, errs, st := cli(t, "", args...)
		if st != 0 {
			t.Fatalf("scmp %q: status %d, stderr %q", args, st, errs)
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		sizes[flag] = int(fi.Size()) / 8
		if !strings.Contains(errs, fmt.Sprintf(": %d BPF instructions for x86_64\n", sizes[flag])) {
			t.Errorf("scmp %q: stderr %q does not give the %d instructions written", args, errs, sizes[flag])
		}
		sim, errs, st := cli(t, "", "sim", "--arch", "x86_64", out, "1000")
		if st != 0 || !strings.Contains(sim, "action: "+want+"\n") {
			t.Errorf("sim of %q 1000: status %d, stdout %q, stderr %q; want %s", args, st, sim, errs, want)
		}
	}
	if sizes[true] <= sizes[false] {
		t.Errorf("the program with the stub has %d instructions, without %d", sizes[true], sizes[false])
	}

	pfc := func(profile string, flags ...string) string {
		t.Helper()
		args := append(append([]string{"compile", "--format", "pfc", "--arch", "x86_64,aarch64"}, flags...), profile)
		out, errs, st := cli(t, "", args...)
		if st != 0 {
			t.Fatalf("scmp %q: status %d, stderr %q", args, st, errs)
		}
		return out
	}
	const note = "--enosys-after 5.4: the BPF program"
	if out := pfc(profile); strings.Contains(out, "--enosys-after") {
		t.Errorf("PFC without --enosys-after mentions it:\n%s", out)
	}
	out := pfc(profile, "--enosys-after", "5.4")
	head, rest, ok := strings.Cut(out, "# pseudo filter code start")
	if !ok || !strings.Contains(head, note) || !strings.Contains(rest, "ERRNO(38)") {
		t.Errorf("PFC with --enosys-after 5.4 lacks the note or the filter:\n%s", out)
	}
	for _, a := range []*arch.Arch{arch.X86_64, arch.AArch64} {
		if want := fmt.Sprintf("#   %s: above %d\n", a.Name, a.MaxSyscall()); !strings.Contains(head, want) {
			t.Errorf("PFC note lacks %q:\n%s", want, head)
		}
	}
}

// TestRunENOSYSAboveTable runs syscall 1000, above the native table,
// under Docker's default profile: it fails with the profile's EPERM, and
// with ENOSYS under --enosys-after.
func TestRunENOSYSAboveTable(t *testing.T) {
	requireSeccomp(t)
	if arch.Native().MaxSyscall() >= 1000 {
		t.Skipf("1000 is in the table of %s", arch.Native().Name)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(helperEnv, "1000:")
	for _, tt := range []struct {
		flags []string
		errno syscall.Errno
	}{
		{nil, syscall.EPERM},
		{[]string{"--enosys-after", "5.4"}, syscall.ENOSYS},
		{[]string{"--enosys-after", "6.8"}, syscall.ENOSYS},
	} {
		args := append(append([]string{"run", "--profile", "docker-default"}, tt.flags...), "--", self)
		out, errs, st := cli(t, "", args...)
		if want := fmt.Sprintf("ret=-1 errno=%d\n", int(tt.errno)); st != 0 || out != want {
			t.Errorf("scmp %q: status %d, stdout %q, stderr %q; want 0 and %q", args, st, out, errs, want)
		}
	}
}

// TestENOSYSAfterSameProgramEverywhere checks that diff and graph look at
// the program compile writes and run loads with --enosys-after, stub
// included: the profile and its compiled filter compare equal, and the
// graph has a node for every instruction of that program.
func TestENOSYSAfterSameProgramEverywhere(t *testing.T) {
	bpfPath := filepath.Join(t.TempDir(), "p.bpf")
	flags := []string{"--arch", "x86_64", "--kernel", "6.8", "--enosys-after", "5.4"}
	if _, errs, st := cli(t, "", append(append([]string{"compile"}, flags...), "-o", bpfPath, "docker-default")...); st != 0 {
		t.Fatalf("compile: status %d: %s", st, errs)
	}
	out, errs, st := cli(t, "", append(append([]string{"diff"}, flags...), "docker-default", bpfPath)...)
	if st != 0 {
		t.Errorf("diff of the profile and its compiled filter: status %d\n%s%s", st, out, errs)
	}
	raw, err := os.ReadFile(bpfPath)
	if err != nil {
		t.Fatal(err)
	}
	fromProfile, _, st1 := cli(t, "", append(append([]string{"graph", "--format", "dot"}, flags...), "docker-default")...)
	fromFilter, _, st2 := cli(t, "", "graph", "--format", "dot", "--arch", "x86_64", bpfPath)
	want := fmt.Sprintf("%d BPF instructions", len(raw)/8)
	if st1 != 0 || st2 != 0 || !strings.Contains(fromProfile, want) || !strings.Contains(fromFilter, want) {
		t.Errorf("graph: statuses %d, %d; want both to draw %s", st1, st2, want)
	}
}
