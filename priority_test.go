package seccomp_test

import (
	"encoding/binary"
	"math"
	"testing"

	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// mixCall is one syscall of a production mix: how many times it was made
// per second, and the arguments it is typically made with (they matter for
// the syscalls Docker's profile checks arguments of).
type mixCall struct {
	name  string
	count int
	args  [6]uint64
}

// serverMix is a plausible syscall rate, in calls per second, for a busy
// network service in a container (a Go HTTP server behind a proxy). The
// figures are illustrative, not a recording, with the shape such services
// show under strace -c: dominated by futex, the read/write and
// send/receive pairs and the epoll waits, with a tail of memory, file and
// signal calls, and a few argument-checked ones (clone for new threads,
// socket for outgoing connections, personality queried once).
var serverMix = []mixCall{
	{name: "futex", count: 26000},
	{name: "epoll_pwait", count: 11000},
	{name: "read", count: 18000},
	{name: "write", count: 15000},
	{name: "epoll_wait", count: 9000},
	{name: "recvfrom", count: 7000},
	{name: "sendto", count: 6500},
	{name: "close", count: 4000},
	{name: "openat", count: 3500},
	{name: "mmap", count: 2000},
	{name: "writev", count: 1200},
	{name: "newfstatat", count: 1500},
	{name: "nanosleep", count: 1200},
	{name: "rt_sigprocmask", count: 1000},
	{name: "sched_yield", count: 900},
	{name: "munmap", count: 800},
	{name: "accept4", count: 800},
	{name: "madvise", count: 600},
	{name: "pread64", count: 600},
	{name: "getpid", count: 500},
	{name: "epoll_ctl", count: 700},
	{name: "lseek", count: 400},
	{name: "setsockopt", count: 400},
	{name: "getsockopt", count: 200},
	{name: "pwrite64", count: 300},
	{name: "brk", count: 300},
	{name: "clock_gettime", count: 200},
	{name: "getrandom", count: 200},
	{name: "rt_sigreturn", count: 100},
	{name: "tgkill", count: 50},
	{name: "connect", count: 100},
	{name: "socket", count: 100, args: [6]uint64{2, 1}},          // AF_INET, SOCK_STREAM
	{name: "clone", count: 5, args: [6]uint64{0x3d0f00}},         // a new thread
	{name: "personality", count: 1, args: [6]uint64{0xffffffff}}, // query
	{name: "mprotect", count: 150},
}

// mixPriorities maps the counts of a mix to SetSyscallPriority's 1..255,
// proportionally to the most frequent syscall.
func mixPriorities(mix []mixCall) map[string]uint8 {
	top := 0
	for _, c := range mix {
		top = max(top, c.count)
	}
	out := map[string]uint8{}
	for _, c := range mix {
		out[c.name] = uint8(max(1, math.Round(255*float64(c.count)/float64(top))))
	}
	return out
}

// dockerProgram builds Docker's default profile for set with Docker's
// default capabilities, in tree mode (SetOptimize(2)), with the mix's
// priorities when prio is set, and returns its program.
func dockerProgram(tb testing.TB, set archSet, prio map[string]uint8) (bpf.Program, binary.ByteOrder) {
	tb.Helper()
	f, _, abis := dockerFilter(tb, set, dockerDefaultCaps)
	defer f.Release()
	// Tree mode, where libseccomp ignores priorities.
	if err := f.SetOptimize(2); err != nil {
		tb.Fatal(err)
	}
	for name, p := range prio {
		nr, err := seccomp.GetSyscallFromName(name)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		if err := f.SetSyscallPriority(nr, p); err != nil {
			tb.Fatalf("SetSyscallPriority(%s, %d): %v", name, p, err)
		}
	}
	order := abis[0].ByteOrder()
	return exported(tb, f, order), order
}

// mixResult is a program's decisions and cost over a mix.
type mixResult struct {
	steps float64 // mean instructions per syscall, weighted by count
	rets  map[string]uint32
}

// runMix runs every syscall of mix on p, as made by an x86_64 process.
func runMix(tb testing.TB, p bpf.Program, order binary.ByteOrder, mix []mixCall) mixResult {
	tb.Helper()
	vm, err := bpf.NewVM(p, order)
	if err != nil {
		tb.Fatal(err)
	}
	res := mixResult{rets: map[string]uint32{}}
	var sum, total float64
	for _, c := range mix {
		nr, ok := arch.X86_64.SyscallNumber(c.name)
		if !ok || nr < 0 {
			tb.Fatalf("no x86_64 number for %s", c.name)
		}
		ret, steps, err := vm.Run(bpf.Data{Nr: nr, Arch: arch.X86_64.Token, Args: c.args})
		if err != nil {
			tb.Fatal(err)
		}
		res.rets[c.name] = ret
		sum += float64(c.count) * float64(steps)
		total += float64(c.count)
	}
	res.steps = sum / total
	return res
}

// allowedMean returns the mean instructions executed over the syscalls
// -1..1023 of token (all arguments zero) that p allows.
func allowedMean(tb testing.TB, p bpf.Program, order binary.ByteOrder, token uint32) float64 {
	tb.Helper()
	vm, err := bpf.NewVM(p, order)
	if err != nil {
		tb.Fatal(err)
	}
	var sum, n float64
	for nr := int32(-1); nr <= 1023; nr++ {
		ret, steps, err := vm.Run(bpf.Data{Nr: nr, Arch: token})
		if err != nil {
			tb.Fatal(err)
		}
		if ret == bpf.RetAllow {
			sum += float64(steps)
			n++
		}
	}
	return sum / n
}

// TestPriorityGain compiles Docker's default profile with and without the
// priorities of a server's syscall mix and compares the expected number of
// instructions per syscall over that mix: SetSyscallPriority is honoured
// by the tree, so the weighted filter must be no worse, while deciding
// every call of the mix the same way.
func TestPriorityGain(t *testing.T) {
	prio := mixPriorities(serverMix)
	for _, set := range dockerArchSets[:2] {
		t.Run(set.name, func(t *testing.T) {
			plainProg, order := dockerProgram(t, set, nil)
			prioProg, _ := dockerProgram(t, set, prio)
			plain := runMix(t, plainProg, order, serverMix)
			weighted := runMix(t, prioProg, order, serverMix)
			for _, c := range serverMix {
				if plain.rets[c.name] != weighted.rets[c.name] {
					t.Errorf("%s: %s without priorities, %s with", c.name,
						bpf.ActionString(plain.rets[c.name]), bpf.ActionString(weighted.rets[c.name]))
				}
				if c.name != "personality" && c.name != "clone" && plain.rets[c.name] != bpf.RetAllow {
					t.Errorf("%s: %s, want ALLOW under Docker's default profile", c.name, bpf.ActionString(plain.rets[c.name]))
				}
			}
			if weighted.steps > plain.steps {
				t.Errorf("weighted mean steps over the mix %.3f, above %.3f without priorities", weighted.steps, plain.steps)
			}
			t.Logf("%s: mean instructions per syscall over the mix: %.2f without priorities, %.2f with (%.1f%% fewer); program %d -> %d instructions; mean over allowed syscalls %.2f -> %.2f",
				set.name, plain.steps, weighted.steps, 100*(1-weighted.steps/plain.steps), len(plainProg), len(prioProg),
				allowedMean(t, plainProg, order, arch.X86_64.Token), allowedMean(t, prioProg, order, arch.X86_64.Token))
		})
	}
}

// TestPriorityMapping checks the mapping of counts to priorities.
func TestPriorityMapping(t *testing.T) {
	got := mixPriorities([]mixCall{{name: "a", count: 1000}, {name: "b", count: 500}, {name: "c", count: 1}})
	want := map[string]uint8{"a": 255, "b": 128, "c": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("priority of %s: %d, want %d", k, got[k], v)
		}
	}
}

// BenchmarkPriorityMix runs the server mix through the interpreter on
// Docker's default profile compiled with the mix's priorities (one op is
// one pass over the mix) and reports the expected instructions per
// syscall with and without the priorities.
func BenchmarkPriorityMix(b *testing.B) {
	prio := mixPriorities(serverMix)
	for _, set := range dockerArchSets[:2] {
		b.Run(set.name, func(b *testing.B) {
			plainProg, order := dockerProgram(b, set, nil)
			prioProg, _ := dockerProgram(b, set, prio)
			plain := runMix(b, plainProg, order, serverMix)
			var weighted mixResult
			b.ResetTimer()
			for range b.N {
				weighted = runMix(b, prioProg, order, serverMix)
			}
			b.ReportMetric(plain.steps, "steps-plain/syscall")
			b.ReportMetric(weighted.steps, "steps-prio/syscall")
		})
	}
}
