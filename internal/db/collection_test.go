package db

import (
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// support is a Support with chosen answers.
type support struct {
	noActions map[Action]bool
	noFlags   uint
}

func (s support) ActionSupported(a Action) bool { return !s.noActions[a] }
func (s support) FlagSupported(f uint) bool     { return s.noFlags&f == 0 }

func eq(arg uint32, v uint64) Cond           { return Cond{Arg: arg, Op: cmpEQ, A: v} }
func cond(arg uint32, op int, v uint64) Cond { return Cond{Arg: arg, Op: op, A: v} }

func newCol(t *testing.T, def Action, native *arch.Arch) *Collection {
	t.Helper()
	c, err := New(def, native, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestAddRuleValidation(t *testing.T) {
	errno := func(n uint32) Action { return ActErrno | Action(n) }
	tests := []struct {
		name    string
		setup   func(c *Collection)
		action  Action
		nr      int32
		exact   bool
		conds   []Cond
		want    error
		support Support
	}{
		{name: "default action", action: ActKillThread, nr: 1, want: syscall.EACCES},
		{name: "errno 4094", action: errno(4094), nr: 1},
		{name: "errno 4095", action: errno(MaxErrno), nr: 1, want: syscall.EINVAL},
		{name: "trace data", action: ActTrace | 0xffff, nr: 1},
		{name: "allow with data", action: ActAllow | 1, nr: 1, want: syscall.EINVAL},
		{name: "unknown action", action: 0x12340000, nr: 1, want: syscall.EINVAL},
		{name: "notify with data", action: ActNotify | 1, nr: 1, want: syscall.EINVAL},
		{name: "same arg twice", action: ActAllow, nr: 1, conds: []Cond{eq(0, 1), eq(0, 2)}, want: syscall.EINVAL},
		{name: "arg 6", action: ActAllow, nr: 1, conds: []Cond{eq(6, 1)}, want: syscall.EINVAL},
		{name: "seven conditions", action: ActAllow, nr: 1, conds: make([]Cond, 7), want: syscall.EINVAL},
		{name: "op 0", action: ActAllow, nr: 1, conds: []Cond{{Arg: 0, Op: 0}}, want: syscall.EINVAL},
		{name: "op 8", action: ActAllow, nr: 1, conds: []Cond{{Arg: 0, Op: 8}}, want: syscall.EINVAL},
		{name: "syscall -1 without tskip", action: ActAllow, nr: -1, want: syscall.EINVAL},
		{name: "syscall -1 with tskip", setup: func(c *Collection) { c.AttrSet(AttrTSkip, 1) }, action: ActAllow, nr: -1},
		{name: "syscall -2", action: ActAllow, nr: -2, want: syscall.EINVAL},
		{name: "syscall -99", action: ActAllow, nr: -99, want: syscall.EINVAL},
		{name: "pseudo syscall", action: ActAllow, nr: -10001},
		{name: "pseudo syscall exact", action: ActAllow, nr: -10001, exact: true, want: syscall.EDOM},
		{name: "exact two arches", setup: func(c *Collection) { c.AddArch(arch.X86) }, action: ActAllow, nr: 0, exact: true, want: syscall.EOPNOTSUPP},
		{name: "exact one arch", action: ActAllow, nr: 0, exact: true},
		{name: "no arch", setup: func(c *Collection) { c.RemoveArch(arch.X86_64) }, action: ActAllow, nr: 0, want: syscall.EINVAL},
		{name: "kill process unsupported", action: ActKillProcess, nr: 0, want: syscall.EINVAL,
			support: support{noActions: map[Action]bool{ActKillProcess: true}}},
		{name: "log unsupported", action: ActLog, nr: 0, want: syscall.EINVAL,
			support: support{noActions: map[Action]bool{ActLog: true}}},
		{name: "notify with tsync, no tsync_esrch", setup: func(c *Collection) { c.AttrSet(AttrTSync, 1) },
			action: ActNotify, nr: 0, want: syscall.EINVAL, support: support{noFlags: FlagTSyncESRCH}},
		{name: "notify with tsync and tsync_esrch", setup: func(c *Collection) { c.AttrSet(AttrTSync, 1) },
			action: ActNotify, nr: 0},
		{name: "unknown number, other arch", setup: func(c *Collection) { c.AddArch(arch.X86) }, action: ActAllow, nr: 5000, want: syscall.EFAULT},
		{name: "unknown number, native only", action: ActAllow, nr: 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(ActKillThread, arch.X86_64, tt.support)
			if err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(c)
			}
			err = c.AddRule(tt.action, tt.nr, tt.exact, tt.conds)
			if err != tt.want {
				t.Fatalf("AddRule = %v, want %v", err, tt.want)
			}
		})
	}
}
