package sandbox

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// TestFixedAction runs fixedAction on programs whose action for execve
// does or does not depend on the arguments.
func TestFixedAction(t *testing.T) {
	nat := arch.Native()
	if nat == nil {
		t.Skip("no seccomp architecture here")
	}
	execve, ok := nat.SyscallNumber("execve")
	if !ok || execve < 0 {
		t.Skip("no execve here")
	}
	tests := []struct {
		name  string
		body  string // after the architecture check and "ld [nr]"; NR is execve's number
		ret   uint32
		known bool
	}{
		{"default", "ret KILL_THREAD\n", bpf.RetKillThread, true},
		{"rule on execve", "jeq #NR jt +0 jf +1\nret ERRNO(1)\nret allow\n", bpf.RetErrno | 1, true},
		{"argument of another call", "jeq #NR jt +2 jf +0\nld [args[0].lo]\nret a\nret TRAP\n", bpf.RetTrap, true},
		{"argument of execve", "jeq #NR jt +0 jf +3\nld [args[2].lo]\njeq #0 jt +0 jf +1\nret allow\nret KILL_PROCESS\n", 0, false},
		{"instruction pointer", "jeq #NR jt +0 jf +1\nld [ip.lo]\nret a\n", 0, false},
		{"scratch memory from nr", "st M[3]\nldx M[3]\ntxa\njeq #NR jt +0 jf +1\nret LOG\nret allow\n", bpf.RetLog, true},
	}
	for _, tt := range tests {
		body := strings.ReplaceAll(tt.body, "NR", fmt.Sprint(execve))
		// The architecture check jumps to a final "ret KILL_PROCESS".
		src := fmt.Sprintf("ld [arch]\njeq #%#x jt +0 jf %d\nld [nr]\n%sret KILL_PROCESS\n",
			nat.Token, 3+strings.Count(body, "\n"), body)
		p, err := bpf.Parse(src, nat.ByteOrder())
		if err != nil {
			t.Fatalf("%s: %v\n%s", tt.name, err, src)
		}
		ret, known, err := fixedAction(p, nat, execve)
		if err != nil || known != tt.known || (known && ret != tt.ret) {
			t.Errorf("%s: got %s, known %v, %v; want %s, known %v\n%s", tt.name,
				bpf.ActionString(ret), known, err, bpf.ActionString(tt.ret), tt.known, p.Disassemble())
		}
	}
}

// TestPreflight checks which actions preflight refuses, and its error.
func TestPreflight(t *testing.T) {
	nat := arch.Native()
	if nat == nil {
		t.Skip("no seccomp architecture here")
	}
	for _, tt := range []struct {
		ret    uint32
		refuse bool
	}{
		{bpf.RetKillProcess, true}, {bpf.RetKillThread, true}, {bpf.RetTrap, true},
		{bpf.RetErrno | 13, true}, {0x12340000, true},
		{bpf.RetAllow, false}, {bpf.RetLog, false}, {bpf.RetUserNotif, false}, {bpf.RetTrace | 3, false},
	} {
		err := preflight(bpf.Program{bpf.Stmt(bpf.RET|bpf.K, tt.ret)}, nat, "/bin/true")
		var se *Error
		if !tt.refuse {
			if err != nil {
				t.Errorf("%s: refused: %v", bpf.ActionString(tt.ret), err)
			}
			continue
		}
		if !errors.As(err, &se) || se.Op != "check filter" || se.Status != StatusCannotExecute ||
			se.Action != bpf.ActionString(tt.ret) || !strings.Contains(err.Error(), "allow execve") {
			t.Errorf("%s: got %v (%+v)", bpf.ActionString(tt.ret), err, se)
		}
		if tt.ret&bpf.RetActionFull == bpf.RetErrno && !errors.Is(err, syscall.Errno(13)) {
			t.Errorf("ERRNO(13): %v does not carry the errno", err)
		}
	}
}
