package difftest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/bpf"
	"golang.org/x/sys/unix"
)

// A loaded filter cannot be removed, so the live benchmarks run each case
// in a child: the test binary again, with liveEnv set to
// "<filter>,<syscall>,<count>[,<cpu>]". The child pins itself to the CPU
// if one is given, loads Docker's default profile (x86_64+x86+x32, as
// Docker loads it) as the named filter of liveFilters ("none": no
// filter), makes the syscall (or "mix": the calls of serverMix) count
// times and prints the mean time per call.
const liveEnv = "DIFFTEST_LIVE"

var liveCalls = map[string]func() unix.Errno{
	"getppid": func() unix.Errno { _, _, e := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0); return e },
	// personality(0xffffffff) only queries; Docker's profile checks its
	// argument.
	"personality": func() unix.Errno { _, _, e := unix.RawSyscall(unix.SYS_PERSONALITY, 0xffffffff, 0, 0); return e },
	// acct(NULL) is denied by Docker's profile without CAP_SYS_PACCT.
	"acct": func() unix.Errno { _, _, e := unix.RawSyscall(unix.SYS_ACCT, 0, 0, 0); return e },
}

// liveWant is what each call returns under Docker's profile.
var liveWant = map[string]unix.Errno{"getppid": 0, "personality": 0, "acct": unix.EPERM}

// liveCallMix is each call of liveCalls as a mix of one, for costOverMix.
var liveCallMix = map[string]weightedCall{
	"getppid":     {name: "getppid", weight: 1},
	"personality": {name: "personality", weight: 1, args: [6]uintptr{0xffffffff}},
	"acct":        {name: "acct", weight: 1, denied: true},
}

// liveChild is the child side of BenchmarkLiveSyscall and
// BenchmarkLiveWeighted.
func liveChild(spec string) error {
	parts := strings.Split(spec, ",")
	if len(parts) != 3 && len(parts) != 4 {
		return fmt.Errorf("bad %s %q", liveEnv, spec)
	}
	call, ok := liveCalls[parts[1]]
	if !ok && parts[1] != mixCallName {
		return fmt.Errorf("unknown syscall %q", parts[1])
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil {
		return err
	}
	runtime.LockOSThread()
	if len(parts) == 4 {
		cpu, err := strconv.Atoi(parts[3])
		if err != nil {
			return err
		}
		var set unix.CPUSet
		set.Set(cpu)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			return fmt.Errorf("pinning to CPU %d: %w", cpu, err)
		}
	}
	if err := loadLiveFilter(parts[0]); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	var ns float64
	if parts[1] == mixCallName {
		if parts[0] != "none" {
			if err := checkMix(serverMix); err != nil {
				return err
			}
		}
		if ns, err = replayMix(serverMix, n); err != nil {
			return err
		}
	} else {
		if e := call(); parts[0] != "none" && e != liveWant[parts[1]] {
			return fmt.Errorf("%s under the filter: errno %d, want %d", parts[1], e, liveWant[parts[1]])
		}
		start := time.Now()
		for range n {
			call()
		}
		ns = float64(time.Since(start).Nanoseconds()) / float64(n)
	}
	fmt.Printf("ns/syscall %f\n", ns)
	return nil
}

// runLiveChild runs liveChild with spec in a new process and returns the
// time per call it measured.
func runLiveChild(spec string) (float64, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), liveEnv+"="+spec)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("child: %v\n%s", err, errb.String())
	}
	var ns float64
	if _, err := fmt.Sscanf(out.String(), "ns/syscall %f", &ns); err != nil {
		return 0, fmt.Errorf("child output %q: %v", out.String(), err)
	}
	return ns, nil
}

// BenchmarkLiveSyscall reports the cost of one syscall in a process with
// Docker's default profile loaded, through seccomp-go, through libseccomp
// at -O2, and with no filter; and for the filters, as
// BenchmarkLiveWeighted does, the instructions the program executes for
// the call (insns/syscall) and whether the kernel's cache leaves it to
// the filter (bpf-runs/syscall, 0 or 1).
func BenchmarkLiveSyscall(b *testing.B) {
	rs := dockerRuleSets(b)["x86_64+x86+x32"]
	for _, filter := range []string{"none", "ours", "libseccomp-O2"} {
		var prog bpf.Program
		if filter != "none" {
			var err error
			if prog, err = liveFilters[filter].program(rs); err != nil {
				b.Fatalf("%s: %v", filter, err)
			}
		}
		for _, call := range []string{"getppid", "personality", "acct"} {
			b.Run(filter+"/"+call, func(b *testing.B) {
				ns, err := runLiveChild(fmt.Sprintf("%s,%s,%d", filter, call, max(b.N, 1000)))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ns, "ns/syscall")
				if prog != nil {
					c, err := costOverMix(prog, []weightedCall{liveCallMix[call]})
					if err != nil {
						b.Fatalf("%s: %v", filter, err)
					}
					b.ReportMetric(c.Steps, "insns/syscall")
					b.ReportMetric(c.Runs, "bpf-runs/syscall")
				}
			})
		}
	}
}
