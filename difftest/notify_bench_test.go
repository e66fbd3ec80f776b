package difftest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	ours "github.com/seccomp-go/seccomp"
	lib "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// notifyEnv makes the test binary the target of BenchmarkNotifyRoundTrip:
// its value is the number of notified calls to make.
const notifyEnv = "DIFFTEST_NOTIFY_TARGET"

// notifyChild is the target side of BenchmarkNotifyRoundTrip. It loads a
// filter that notifies getppid, passes the listener over descriptor 3,
// then calls getppid count times from C (notifiedCalls); each call waits
// for the supervisor, which lets it run.
func notifyChild(spec string) error {
	n, err := strconv.Atoi(spec)
	if err != nil {
		return fmt.Errorf("bad %s %q", notifyEnv, spec)
	}
	ppid := uintptr(os.Getppid()) // before the filter notifies it
	f, err := ours.NewFilter(ours.ActAllow)
	if err != nil {
		return err
	}
	if err := f.AddRule(ours.ScmpSyscall(unix.SYS_GETPPID), ours.ActNotify); err != nil {
		return err
	}
	if err := f.Load(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	fd, err := f.GetNotifFd()
	if err != nil {
		return err
	}
	if err := unix.Sendmsg(3, []byte{'F'}, unix.UnixRights(int(fd)), nil, 0); err != nil {
		return fmt.Errorf("sending the listener: %w", err)
	}
	return notifiedCalls(n, int(ppid))
}

// startNotifyTarget starts a target making n notified calls and returns
// it, a channel closed once it has exited and been waited for, its
// listener and its standard error.
func startNotifyTarget(b *testing.B, n int) (*exec.Cmd, <-chan struct{}, int, *bytes.Buffer) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(pair[0])
	childSock := os.NewFile(uintptr(pair[1]), "target")
	defer childSock.Close()
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), notifyEnv+"="+strconv.Itoa(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.ExtraFiles = []*os.File{childSock}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// One goroutine waits for the target; done is closed when it has.
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	watchdog := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	b.Cleanup(func() {
		watchdog.Stop()
		cmd.Process.Kill()
		<-done
	})
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(pair[0], buf, oob, 0)
	var fds []int
	if err == nil {
		var msgs []unix.SocketControlMessage
		if msgs, err = unix.ParseSocketControlMessage(oob[:oobn]); err == nil && len(msgs) == 1 {
			fds, err = unix.ParseUnixRights(&msgs[0])
		}
	}
	if err != nil || len(fds) != 1 {
		b.Fatalf("receiving the listener: %v (%d descriptors)\n%s", err, len(fds), stderr.String())
	}
	b.Cleanup(func() { unix.Close(fds[0]) })
	return cmd, done, fds[0], &stderr
}

// taskStates describes what the threads of process pid are doing.
func taskStates(pid int) string {
	var out bytes.Buffer
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*"))
	for _, task := range tasks {
		sc, _ := os.ReadFile(filepath.Join(task, "syscall"))
		st, _ := os.ReadFile(filepath.Join(task, "stat"))
		stack, _ := os.ReadFile(filepath.Join(task, "stack"))
		fmt.Fprintf(&out, "%s: %s%s\n%s\n", filepath.Base(task), st, sc, stack)
	}
	return out.String()
}

// notifyRounds and notifyCalls set how BenchmarkNotifyRoundTrip samples:
// in each round every supervisor serves a new target making notifyCalls
// calls, in an order shuffled per round.
const (
	notifyRounds = 9
	notifyCalls  = 20000
)

// BenchmarkNotifyRoundTrip measures one user-notification round trip: a
// target process calls getppid under a filter that notifies it, and the
// supervisor, the benchmark's goroutine, receives the notification and
// answers it with CONTINUE, so that the call runs. The supervisor is
// libseccomp-golang's NotifReceive and NotifRespond (through libseccomp),
// or ours: NotifReceiveInto and NotifRespond, and the same with the
// listener in synchronous wake-up mode (NotifSetSyncWakeUp, Linux 6.6).
//
// The supervisors take turns, round after round, so that a change in the
// machine's load weighs on all of them alike; each sub-benchmark then
// reports the median over the rounds: ns/op is the time of one call as
// the supervisor sees it, ns/op-min and ns/op-max the fastest and slowest
// rounds, and allocs/op and B/op the supervisor's allocations per call
// (the most of any round).
func BenchmarkNotifyRoundTrip(b *testing.B) {
	if _, err := os.Stat("/proc/sys/kernel/seccomp/actions_avail"); err != nil {
		b.Skipf("kernel without seccomp filters: %v", err)
	}
	if api, _ := ours.GetAPI(); api < 6 {
		b.Skipf("API level %d has no user notification", api)
	}
	libLoop := func(n, fd int) error {
		for i := 0; i < n; {
			req, err := lib.NotifReceive(lib.ScmpFd(fd))
			if errors.Is(err, syscall.ENOENT) {
				// A notification withdrawn before it was read, as
				// when a signal interrupts the target's call: the
				// call is made again.
				continue
			}
			if err != nil {
				return fmt.Errorf("NotifReceive: %w", err)
			}
			err = lib.NotifRespond(lib.ScmpFd(fd), &lib.ScmpNotifResp{ID: req.ID, Flags: lib.NotifRespFlagContinue})
			if err == nil {
				i++
			} else if !errors.Is(err, syscall.ENOENT) {
				return fmt.Errorf("NotifRespond: %w", err)
			}
		}
		return nil
	}
	oursLoop := func(n, fd int) error {
		var req ours.ScmpNotifReq
		for i := 0; i < n; {
			if err := ours.NotifReceiveInto(ours.ScmpFd(fd), &req); err != nil {
				return fmt.Errorf("NotifReceiveInto: %w", err)
			}
			err := ours.NotifRespond(ours.ScmpFd(fd), &ours.ScmpNotifResp{ID: req.ID, Flags: ours.NotifRespFlagContinue})
			if err == nil {
				i++
			} else if !errors.Is(err, syscall.ENOENT) {
				return fmt.Errorf("NotifRespond: %w", err)
			}
		}
		return nil
	}
	syncLoop := func(n, fd int) error {
		if err := ours.NotifSetSyncWakeUp(ours.ScmpFd(fd)); err != nil {
			return err
		}
		return oursLoop(n, fd)
	}
	supervisors := []struct {
		name  string
		serve func(n, fd int) error
	}{
		{"libseccomp", libLoop},
		{"ours", oursLoop},
		{"ours-sync", syncLoop},
	}
	nsPerCall := make([][]float64, len(supervisors))
	allocsPerCall := make([]float64, len(supervisors))
	bytesPerCall := make([]float64, len(supervisors))
	order := rand.New(rand.NewSource(1))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for range notifyRounds {
		for _, i := range order.Perm(len(supervisors)) {
			if supervisors[i].serve == nil {
				continue
			}
			ns, allocs, allocBytes, err := serveTarget(b, supervisors[i].serve)
			if errors.Is(err, errors.ErrUnsupported) {
				b.Logf("no %s: %v", supervisors[i].name, err)
				supervisors[i].serve = nil
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			nsPerCall[i] = append(nsPerCall[i], ns)
			allocsPerCall[i] = max(allocsPerCall[i], allocs)
			bytesPerCall[i] = max(bytesPerCall[i], allocBytes)
		}
	}
	for i, s := range supervisors {
		if s.serve == nil {
			continue
		}
		b.Run(s.name, func(b *testing.B) {
			runs := nsPerCall[i]
			b.ReportMetric(median(runs), "ns/op") // sorts runs
			b.ReportMetric(runs[0], "ns/op-min")
			b.ReportMetric(runs[len(runs)-1], "ns/op-max")
			b.ReportMetric(allocsPerCall[i], "allocs/op")
			b.ReportMetric(bytesPerCall[i], "B/op")
			b.ReportMetric(float64(len(runs)), "rounds")
		})
	}
}

// serveTarget starts a target making notifyCalls notified calls, serves
// them with serve and returns the time per call and the supervisor's
// allocations and bytes allocated per call, or serve's error.
func serveTarget(b *testing.B, serve func(n, fd int) error) (ns, allocs, allocBytes float64, err error) {
	cmd, done, fd, stderr := startNotifyTarget(b, notifyCalls)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	err = serve(notifyCalls, fd)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%w\n%s", err, stderr.String())
	}
	select {
	case <-done:
		if !cmd.ProcessState.Success() {
			b.Fatalf("target: %v\n%s", cmd.ProcessState, stderr.String())
		}
	case <-time.After(10 * time.Second):
		// The target's Go runtime prints its goroutines on SIGQUIT, to
		// stderr, before it exits.
		states := taskStates(cmd.Process.Pid)
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		b.Fatalf("the target does not exit: %s\n%s", states, stderr.String())
	}
	ns = float64(elapsed.Nanoseconds()) / notifyCalls
	allocs = float64(after.Mallocs-before.Mallocs) / notifyCalls
	allocBytes = float64(after.TotalAlloc-before.TotalAlloc) / notifyCalls
	return ns, allocs, allocBytes, nil
}
