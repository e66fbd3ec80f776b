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

	"golang.org/x/sys/unix"
)

// A loaded filter cannot be removed, so the live benchmark runs each case
// in a child: the test binary again, with liveEnv set to
// "<filter>,<syscall>,<count>". The child loads Docker's default profile
// (x86_64+x86+x32, as Docker loads it) through the named library, makes
// the syscall count times and prints the mean time per call.
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

// liveChild is the child side of BenchmarkLiveSyscall.
func liveChild(spec string) error {
	parts := strings.Split(spec, ",")
	if len(parts) != 3 {
		return fmt.Errorf("bad %s %q", liveEnv, spec)
	}
	call, ok := liveCalls[parts[1]]
	if !ok {
		return fmt.Errorf("unknown syscall %q", parts[1])
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil {
		return err
	}
	runtime.LockOSThread()
	if parts[0] != "none" {
		rs := dockerRuleSets(nil)["x86_64+x86+x32"]
		switch parts[0] {
		case "ours":
			err = LoadOurs(rs, 0)
		case "libseccomp-O2":
			err = LoadLib(rs, 2)
		default:
			err = fmt.Errorf("unknown filter %q", parts[0])
		}
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if e := call(); parts[0] != "none" && e != liveWant[parts[1]] {
		return fmt.Errorf("%s under the filter: errno %d, want %d", parts[1], e, liveWant[parts[1]])
	}
	start := time.Now()
	for range n {
		call()
	}
	fmt.Printf("ns/syscall %f\n", float64(time.Since(start).Nanoseconds())/float64(n))
	return nil
}

// BenchmarkLiveSyscall reports the cost of one syscall in a process with
// Docker's default profile loaded, through seccomp-go, through libseccomp
// at -O2, and with no filter.
func BenchmarkLiveSyscall(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, filter := range []string{"none", "ours", "libseccomp-O2"} {
		for _, call := range []string{"getppid", "personality", "acct"} {
			b.Run(filter+"/"+call, func(b *testing.B) {
				n := max(b.N, 1000)
				cmd := exec.Command(exe, "-test.run=^$")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%s,%d", liveEnv, filter, call, n))
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					b.Fatalf("child: %v\n%s", err, errb.String())
				}
				var ns float64
				if _, err := fmt.Sscanf(out.String(), "ns/syscall %f", &ns); err != nil {
					b.Fatalf("child output %q: %v", out.String(), err)
				}
				b.ReportMetric(ns, "ns/syscall")
			})
		}
	}
}
