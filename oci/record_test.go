package oci

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// TestRecordingFilter checks the decisions of a recording filter with
// the interpreter: what the profile lets run is notified, what it
// refuses is refused as in the profile, conditions included.
func TestRecordingFilter(t *testing.T) {
	eacces := uint(13)
	spec := &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write"}, Action: specs.ActAllow},
			{Names: []string{"getpid"}, Action: specs.ActLog},
			{Names: []string{"getppid"}, Action: specs.ActErrno, ErrnoRet: &eacces},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}},
		},
	}
	x86_64, _ := arch.Lookup("x86_64")
	f, err := RecordingFilter(spec, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	raw, err := f.ExportBPFMem()
	if err != nil {
		t.Fatal(err)
	}
	prog, err := bpf.Unmarshal(raw, x86_64.ByteOrder())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		arg0 uint64
		want uint32
	}{
		{"read", 0, bpf.RetUserNotif},
		{"write", 0, bpf.RetUserNotif},
		{"getpid", 0, bpf.RetUserNotif},
		{"getppid", 0, bpf.RetErrno | 13},
		{"personality", 8, bpf.RetUserNotif},
		{"personality", 0, bpf.RetErrno | 1},
		{"ptrace", 0, bpf.RetErrno | 1},
	}
	for _, tt := range tests {
		nr, _ := x86_64.SyscallNumber(tt.name)
		got, _, err := prog.Run(bpf.Data{Nr: nr, Arch: x86_64.Token, Args: [6]uint64{tt.arg0}}, x86_64.ByteOrder())
		if err != nil || got != tt.want {
			t.Errorf("%s(%#x): %#x, %v; want %#x", tt.name, tt.arg0, got, err, tt.want)
		}
	}

	// Everything, when the profile allows everything.
	all, err := RecordingFilter(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow}, Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}})
	if err != nil {
		t.Fatal(err)
	}
	defer all.Release()
	if act, err := all.GetDefaultAction(); err != nil || act != seccomp.ActNotify {
		t.Errorf("default action %v, %v; want NOTIFY", act, err)
	}

	// A profile with NOTIFY rules of its own is refused.
	_, err = RecordingFilter(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"openat"}, Action: specs.ActNotify}}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "syscalls[0].action") {
		t.Errorf("NOTIFY rule: %v", err)
	}
}
