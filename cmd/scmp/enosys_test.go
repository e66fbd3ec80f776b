package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
