package pfc

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/db"
)

func link(nodes ...*db.Node) *db.Node {
	for i := 1; i < len(nodes); i++ {
		nodes[i].Prev, nodes[i-1].Next = nodes[i-1], nodes[i]
	}
	return nodes[0]
}

func Example() {
	// personality(2) allowed for PER_LINUX (0) and PER_LINUX32 (8) only.
	lo := link(
		&db.Node{Arg: 0, Op: db.OpEQ, Mask: 0xffffffff, Datum: 0, HasTrueAct: true, TrueAct: db.Action(bpf.RetAllow)},
		&db.Node{Arg: 0, Op: db.OpEQ, Mask: 0xffffffff, Datum: 8, HasTrueAct: true, TrueAct: db.Action(bpf.RetAllow)},
	)
	hi := &db.Node{Arg: 0, High: true, Op: db.OpEQ, Mask: 0xffffffff, Datum: 0, TrueNext: lo}
	in := compile.Input{
		Filters: []*db.Filter{{Arch: arch.X86_64, Syscalls: []*db.Syscall{
			{Num: 0, Action: db.Action(bpf.RetAllow)},
			{Num: 135, Chains: hi},
		}}},
		Default: db.Action(bpf.RetErrno | 1),
		BadArch: db.Action(bpf.RetKillProcess),
	}
	if err := Write(os.Stdout, in); err != nil {
		panic(err)
	}
	// Output:
	// #
	// # pseudo filter code start
	// #
	// # filter for arch x86_64 (3221225534)
	// if ($arch == 3221225534)
	//   # x32 syscalls take the invalid architecture action
	//   if ($syscall >= 1073741824)
	//     if ($syscall != 4294967295)
	//       action KILL_PROCESS;
	//   # filter for syscall "read" (0) [priority: 0]
	//   if ($syscall == 0)
	//     action ALLOW;
	//   # filter for syscall "personality" (135) [priority: 0]
	//   if ($syscall == 135)
	//     if ($a0.hi32 == 0)
	//       if ($a0.lo32 == 0)
	//         action ALLOW;
	//       if ($a0.lo32 == 8)
	//         action ALLOW;
	//   # default action
	//   action ERRNO(1);
	// # invalid architecture action
	// action KILL_PROCESS;
	// #
	// # pseudo filter code end
	// #
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		in   compile.Input
		want []string // lines expected in order
	}{
		{
			name: "32-bit arch, masked and else branches",
			in: compile.Input{
				Filters: []*db.Filter{{Arch: arch.X86, Syscalls: []*db.Syscall{
					{Num: 120, Priority: 3, Chains: &db.Node{Arg: 0, Op: db.OpMaskedEQ, Mask: 0x7e020000, Datum: 0,
						HasTrueAct: true, TrueAct: db.Action(bpf.RetAllow),
						FalseNext: &db.Node{Arg: 1, Op: db.OpGT, Mask: 0xffffffff, Datum: 5, HasTrueAct: true, TrueAct: db.Action(bpf.RetTrace | 7)}}},
				}}},
				Default: db.Action(bpf.RetKillThread), BadArch: db.Action(bpf.RetTrap),
			},
			want: []string{
				"# filter for arch x86 (1073741827)",
				"if ($arch == 1073741827)",
				`  # filter for syscall "clone" (120) [priority: 3]`,
				"  if ($syscall == 120)",
				"    if ($a0 & 0x7e020000 == 0)",
				"      action ALLOW;",
				"    else",
				"      if ($a1 > 5)",
				"        action TRACE(7);",
				"  # default action",
				"  action KILL;",
				"# invalid architecture action",
				"action TRAP;",
			},
		},
		{
			name: "x86_64 and x32 share one block",
			in: compile.Input{
				Filters: []*db.Filter{
					{Arch: arch.X32, Syscalls: []*db.Syscall{{Num: 0x40000000, Action: db.Action(bpf.RetLog)}}},
					{Arch: arch.X86_64, Syscalls: []*db.Syscall{{Num: 1, Action: db.Action(bpf.RetUserNotif)}, {Num: 0xffffffff, Action: db.Action(bpf.RetAllow)}}},
				},
				Default: db.Action(bpf.RetAllow), BadArch: db.Action(0x12340000),
			},
			want: []string{
				"# filter for arch x32 + x86_64 (3221225534)",
				`  # filter for syscall "write" (1) [priority: 0]`,
				"    action NOTIFY;",
				`  # filter for syscall "read" (1073741824) [priority: 0]`,
				"    action LOG;",
				`  # filter for syscall "UNKNOWN" (4294967295) [priority: 0]`,
				"action 0x12340000;",
			},
		},
		{
			name: "x32 alone",
			in: compile.Input{
				Filters: []*db.Filter{{Arch: arch.X32}},
			},
			want: []string{
				"  if ($syscall < 1073741824)",
				"    action KILL;",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := Write(&b, tc.in); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			lines := strings.Split(out, "\n")
			k := 0
			for _, l := range lines {
				if k < len(tc.want) && l == tc.want[k] {
					k++
				}
			}
			if k < len(tc.want) {
				t.Errorf("line %q missing or out of order in:\n%s", tc.want[k], out)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	cyc := &db.Node{Arg: 0, Op: db.OpEQ, Mask: 0xffffffff}
	cyc.TrueNext = cyc
	tests := []struct {
		name string
		w    interface{ Write([]byte) (int, error) }
		in   compile.Input
		want string
	}{
		{"write error", failWriter{}, compile.Input{Filters: []*db.Filter{{Arch: arch.X86}}}, "disk full"},
		{"nil arch", &strings.Builder{}, compile.Input{Filters: []*db.Filter{{}}}, "no architecture"},
		{"cycle", &strings.Builder{}, compile.Input{Filters: []*db.Filter{{Arch: arch.X86, Syscalls: []*db.Syscall{{Num: 1, Chains: cyc}}}}}, "cyclic"},
		{"bad op", &strings.Builder{}, compile.Input{Filters: []*db.Filter{{Arch: arch.X86, Syscalls: []*db.Syscall{{Num: 1, Chains: &db.Node{Op: 9}}}}}}, "comparison"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(tc.w, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
