package seccomp

// Live tests of NotifReceiveInto and NotifSetSyncWakeUp, and of the
// races a supervisor meets: notifications withdrawn by a signal to the
// target or by its death, and signals to the supervisor while it waits.

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// waitUntil polls cond until it holds, failing with what after 10s.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(end) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// notifPending reports whether a notification waits on fd.
func notifPending(tb testing.TB, fd ScmpFd) bool {
	pending, _, err := kernel.NotifPending(int(fd))
	if err != nil {
		tb.Fatalf("poll: %v", err)
	}
	return pending
}

// signalPending reports whether sig is pending for thread tid of pid.
func signalPending(tb testing.TB, pid, tid int, sig unix.Signal) bool {
	st, err := threadStatus(filepath.Join("/proc", strconv.Itoa(pid), "task", strconv.Itoa(tid)))
	if err != nil {
		tb.Fatal(err)
	}
	mask, err := strconv.ParseUint(st["SigPnd"], 16, 64)
	if err != nil {
		tb.Fatalf("SigPnd %q: %v", st["SigPnd"], err)
	}
	return mask&(1<<(uint(sig)-1)) != 0
}

// sleepingIn reports whether thread tid of this process sleeps in
// syscall nr.
func sleepingIn(tid int, nr uintptr) bool {
	task := filepath.Join("/proc/self/task", strconv.Itoa(tid))
	b, err := os.ReadFile(filepath.Join(task, "syscall"))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	st, err := threadStatus(task)
	return err == nil && len(f) > 0 && f[0] == strconv.Itoa(int(nr)) && strings.HasPrefix(st["State"], "S")
}

// pollNr is the syscall in which kernel.NotifPoll waits.
const pollNr = unix.SYS_PPOLL

// kernelAtLeast reports whether the running kernel is major.minor or
// later.
func kernelAtLeast(tb testing.TB, major, minor int) bool {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		tb.Fatal(err)
	}
	v, err := arch.ParseKernelVersion(unix.ByteSliceToString(u.Release[:]))
	if err != nil {
		tb.Fatal(err)
	}
	return v.Compare(arch.KernelVersion{Major: major, Minor: minor}) >= 0
}

// loopTarget is the child of TestLiveNotifySyncWakeUp: it makes the
// notified call the number of times in its environment, each answered
// with notifAnswer.
func loopTarget() {
	n, _ := strconv.Atoi(os.Getenv("SECCOMP_GO_CALLS"))
	err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetUserNotif),
		kernel.Options{NoNewPrivs: true, TSync: true, NotifyUsed: true})
	if err != nil {
		childFail("load: %v", err)
	}
	if err := sendFd(3, kernel.NotifyFd()); err != nil {
		childFail("send: %v", err)
	}
	ok := 0
	for range n {
		if r, errno := rawErrno(testNr, notifValue); r == notifAnswer && errno == 0 {
			ok++
		}
	}
	report("answered", ok)
	childDone()
}

// TestLiveNotifySyncWakeUp puts a listener in synchronous wake-up mode
// and serves round trips with NotifReceiveInto and NotifRespond, which
// must not allocate. Bad descriptors and flags are refused.
func TestLiveNotifySyncWakeUp(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	const runs = 200
	if inLiveChild(t) {
		loopTarget()
	}
	c := startListenerChild(t, "SECCOMP_GO_CALLS="+strconv.Itoa(runs+1))
	err := NotifSetSyncWakeUp(c.fd)
	if !kernelAtLeast(t, 6, 6) {
		if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, syscall.EINVAL) {
			t.Errorf("NotifSetSyncWakeUp before Linux 6.6: %v, want ErrUnsupported wrapping EINVAL", err)
		}
	} else if err != nil {
		t.Fatalf("NotifSetSyncWakeUp: %v", err)
	}
	// The flags the kernel knows are SYNC_WAKE_UP alone.
	if err := kernel.NotifSetFlags(int(c.fd), 2); err != syscall.EINVAL {
		t.Errorf("SECCOMP_IOCTL_NOTIF_SET_FLAGS with flag 2: %v, want EINVAL", err)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	err = NotifSetSyncWakeUp(ScmpFd(null.Fd()))
	if !errors.Is(err, syscall.ENOTTY) || errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "not a notification listener") {
		t.Errorf("NotifSetSyncWakeUp on /dev/null: %v, want ENOTTY, not a listener", err)
	}
	if err := NotifSetSyncWakeUp(-1); !errors.Is(err, syscall.EBADF) {
		t.Errorf("NotifSetSyncWakeUp(-1): %v, want EBADF", err)
	}

	var req ScmpNotifReq
	native, _ := GetNativeArch()
	var failure error
	allocs := testing.AllocsPerRun(runs, func() {
		if failure != nil {
			return
		}
		if err := NotifReceiveInto(c.fd, &req); err != nil {
			failure = fmt.Errorf("NotifReceiveInto: %w", err)
			return
		}
		if req.Data.Syscall != ScmpSyscall(testNr) || req.Data.Arch != native || len(req.Data.Args) != 6 || req.Data.Args[0] != notifValue {
			failure = fmt.Errorf("notification %+v", req)
			return
		}
		if err := NotifRespond(c.fd, &ScmpNotifResp{ID: req.ID, Val: notifAnswer}); err != nil {
			failure = fmt.Errorf("NotifRespond: %w", err)
		}
	})
	if failure != nil {
		t.Fatalf("%v\n%s%s", failure, c.stdout.String(), c.stderr.String())
	}
	if allocs != 0 {
		t.Errorf("NotifReceiveInto and NotifRespond: %v allocations per round trip, want 0", allocs)
	}
	c.cmd.Wait()
	r := exitedChild(c.cmd, &c.stdout, &c.stderr)
	checkReports(t, r, map[string]string{"answered": strconv.Itoa(runs + 1), "done": "1"})
	if err := NotifReceiveInto(c.fd, nil); err != syscall.EINVAL {
		t.Errorf("NotifReceiveInto(nil): %v, want EINVAL", err)
	}
	if err := NotifReceiveInto(c.fd, &req); err != ErrNotifNoTarget {
		t.Errorf("NotifReceiveInto with no task left: %v, want ErrNotifNoTarget", err)
	}
}

// withdrawnTarget is the child of TestLiveNotifyWithdrawn: four notified
// calls on one thread, the third and fourth made once the parent writes
// a byte to descriptor 3.
func withdrawnTarget() {
	runtime.LockOSThread()
	err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetUserNotif),
		kernel.Options{NoNewPrivs: true, TSync: true, NotifyUsed: true})
	if err != nil {
		childFail("load: %v", err)
	}
	if err := sendFd(3, kernel.NotifyFd()); err != nil {
		childFail("send: %v", err)
	}
	buf := make([]byte, 1)
	for i := range 4 {
		if i >= 2 {
			if _, err := unix.Read(3, buf); err != nil {
				childFail("read: %v", err)
			}
		}
		r, errno := rawErrno(testNr, uintptr(notifValue+i*10))
		report("call"+strconv.Itoa(i), fmt.Sprintf("%d/%d", r, errno))
	}
	childDone()
}

// interrupt sends SIGURG (which the Go runtime handles) to the target
// thread tid of the child while its call waits, not yet received, and
// waits until the signal has been handled and the call, restarted, is
// notified again.
func interrupt(t *testing.T, c *listenerChild, tid int) {
	t.Helper()
	waitUntil(t, "the call is notified", func() bool { return notifPending(t, c.fd) })
	pid := c.cmd.Process.Pid
	if err := unix.Tgkill(pid, tid, unix.SIGURG); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the target handled the signal", func() bool { return !signalPending(t, pid, tid, unix.SIGURG) })
	waitUntil(t, "the restarted call is notified", func() bool { return notifPending(t, c.fd) })
}

// TestLiveNotifyWithdrawn provokes the ENOENT of SECCOMP_IOCTL_NOTIF_RECV:
// a signal interrupts a notified call before the supervisor received it,
// the kernel withdraws the notification (the call, restarted, notifies
// again) but still counts it, and a later receive finds nothing. The
// kernel's own receive then fails with ENOENT; NotifReceiveInto waits on
// for the next notification instead.
func TestLiveNotifyWithdrawn(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	if inLiveChild(t) {
		withdrawnTarget()
	}
	c := startListenerChild(t)
	respond := func(id uint64, val uint64) {
		t.Helper()
		if err := NotifRespond(c.fd, &ScmpNotifResp{ID: id, Val: val}); err != nil {
			t.Fatalf("NotifRespond: %v\n%s%s", err, c.stdout.String(), c.stderr.String())
		}
	}
	var req ScmpNotifReq
	if err := NotifReceiveInto(c.fd, &req); err != nil {
		t.Fatalf("NotifReceiveInto: %v", err)
	}
	first, tid := req.ID, int(req.Pid)
	respond(req.ID, notifAnswer)

	// The second call, withdrawn, then the kernel's receive alone.
	interrupt(t, c, tid)
	var kreq kernel.NotifReq
	if err := kernel.NotifRecvInto(int(c.fd), &kreq); err != nil {
		t.Fatalf("receiving the restarted call: %v", err)
	}
	if kreq.ID != first+2 || kreq.Data.Args[0] != notifValue+10 {
		t.Fatalf("restarted call: ID %d, argument %d; want ID %d (the first notification %d, then the withdrawn one), argument %d",
			kreq.ID, kreq.Data.Args[0], first+2, first, notifValue+10)
	}
	if err := NotifIDValid(c.fd, first+1); err != syscall.ENOENT {
		t.Errorf("NotifIDValid of the withdrawn notification: %v, want ENOENT", err)
	}
	respond(kreq.ID, notifAnswer+1)
	done := make(chan error, 1)
	go func() { done <- kernel.NotifRecvInto(int(c.fd), &kreq) }()
	select {
	case err := <-done:
		if err != syscall.ENOENT {
			t.Errorf("receive after a withdrawn notification: %v, want ENOENT", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the kernel's receive after a withdrawn notification waits: the race is not provoked")
	}

	// The third call, withdrawn, then NotifReceiveInto.
	unix.Write(c.sock, []byte{1})
	interrupt(t, c, tid)
	if err := NotifReceiveInto(c.fd, &req); err != nil {
		t.Fatalf("NotifReceiveInto of the restarted call: %v", err)
	}
	if req.Data.Args[0] != notifValue+20 {
		t.Fatalf("restarted call: argument %d, want %d", req.Data.Args[0], notifValue+20)
	}
	respond(req.ID, notifAnswer+2)
	next := receiveAfterWithdrawn(t, c)
	if next.Data.Args[0] != notifValue+30 {
		t.Fatalf("NotifReceiveInto after a withdrawn notification: argument %d, want the fourth call's (%d)", next.Data.Args[0], notifValue+30)
	}
	respond(next.ID, notifAnswer+3)
	c.cmd.Wait()
	r := exitedChild(c.cmd, &c.stdout, &c.stderr)
	checkReports(t, r, map[string]string{
		"call0": fmt.Sprintf("%d/0", notifAnswer),
		"call1": fmt.Sprintf("%d/0", notifAnswer+1),
		"call2": fmt.Sprintf("%d/0", notifAnswer+2),
		"call3": fmt.Sprintf("%d/0", notifAnswer+3),
		"done":  "1",
	})
}

// receiveAfterWithdrawn calls NotifReceiveInto when the kernel counts a
// notification that was withdrawn and none waits: on a kernel whose
// receive returns on an unused filter, NotifReceiveInto waits in the
// receive, which fails with ENOENT at once. Once NotifReceiveInto waits
// again, it lets the child make its next call, by writing a byte to its
// socket, and returns the notification of that call.
func receiveAfterWithdrawn(t *testing.T, c *listenerChild) ScmpNotifReq {
	t.Helper()
	type result struct {
		req ScmpNotifReq
		err error
	}
	tids, results := make(chan int, 1), make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tids <- unix.Gettid()
		var r ScmpNotifReq
		err := NotifReceiveInto(c.fd, &r)
		results <- result{r, err}
	}()
	supervisor := <-tids
	if kernel.RecvWakesWhenUnused() {
		waitUntil(t, "NotifReceiveInto waits in the receive", func() bool {
			return len(results) > 0 || sleepingIn(supervisor, unix.SYS_IOCTL)
		})
	}
	unix.Write(c.sock, []byte{1})
	select {
	case r := <-results:
		if r.err != nil {
			t.Fatalf("NotifReceiveInto after a withdrawn notification: %v", r.err)
		}
		return r.req
	case <-time.After(10 * time.Second):
		t.Fatal("NotifReceiveInto does not return the next call")
	}
	panic("unreachable")
}

// killedTargetEnv makes the child of TestLiveNotifyTargetKilled a victim:
// a process started by the child, under its filter, that makes one
// notified call and is killed.
const killedTargetEnv = "SECCOMP_GO_VICTIM"

// killedTarget is the child of TestLiveNotifyTargetKilled: it loads the
// filter, starts two victims one after the other, each waited for, and
// then makes a call of its own.
func killedTarget(t *testing.T) {
	if os.Getenv(killedTargetEnv) != "" {
		rawErrno(testNr, notifDie)
		report("survived", 1)
		os.Exit(0)
	}
	err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetUserNotif),
		kernel.Options{NoNewPrivs: true, TSync: true, NotifyUsed: true})
	if err != nil {
		childFail("load: %v", err)
	}
	if err := sendFd(3, kernel.NotifyFd()); err != nil {
		childFail("send: %v", err)
	}
	for i := range 2 {
		v := liveCommand(t)
		v.Env = append(v.Env, killedTargetEnv+"=1")
		out, err := v.Output()
		report("victim"+strconv.Itoa(i), fmt.Sprintf("%q %v", out, err))
	}
	if _, err := unix.Read(3, make([]byte, 1)); err != nil {
		childFail("read: %v", err)
	}
	r, errno := rawErrno(testNr, notifValue)
	report("survivor", fmt.Sprintf("%d/%d", r, errno))
	childDone()
}

// childrenOf returns the children of process pid.
func childrenOf(t *testing.T, pid int) []int {
	tasks, err := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "children"))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				pids = append(pids, n)
			}
		}
	}
	return pids
}

// threadOf reports whether tid is a thread of process pid.
func threadOf(pid, tid int) bool {
	_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid), "task", strconv.Itoa(tid)))
	return err == nil
}

// gone reports whether process pid has been reaped.
func gone(pid int) bool {
	_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
	return errors.Is(err, os.ErrNotExist)
}

// TestLiveNotifyTargetKilled kills targets while their notifications are
// pending, with another task still using the filter. A received
// notification of a dead target is answered with syscall.ENOENT, which is
// not ErrNotifNoTarget; one not received yet vanishes, and
// NotifReceiveInto goes on to the next.
func TestLiveNotifyTargetKilled(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	if inLiveChild(t) {
		killedTarget(t)
	}
	c := startListenerChild(t)
	child := c.cmd.Process.Pid

	// The first victim dies after its notification was received.
	var req ScmpNotifReq
	if err := NotifReceiveInto(c.fd, &req); err != nil {
		t.Fatalf("NotifReceiveInto: %v", err)
	}
	victims := childrenOf(t, child)
	if req.Data.Args[0] != notifDie || len(victims) != 1 || !threadOf(victims[0], int(req.Pid)) {
		t.Fatalf("first notification from thread %d, argument %d; want the victim's (children of %d: %v)", req.Pid, req.Data.Args[0], child, victims)
	}
	if err := unix.Kill(victims[0], unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the victim is reaped", func() bool { return gone(victims[0]) })
	if err := NotifIDValid(c.fd, req.ID); err != syscall.ENOENT {
		t.Errorf("NotifIDValid after the target died: %v, want ENOENT", err)
	}
	err := NotifRespond(c.fd, &ScmpNotifResp{ID: req.ID, Val: 1})
	if err != syscall.ENOENT || err == ErrNotifNoTarget {
		t.Errorf("NotifRespond after the target died: %v, want syscall.ENOENT", err)
	}

	// The second dies before its notification is received.
	waitUntil(t, "the second victim's call is notified", func() bool { return notifPending(t, c.fd) })
	victims = childrenOf(t, child)
	if len(victims) != 1 {
		t.Fatalf("the child has children %v, want one victim", victims)
	}
	if err := unix.Kill(victims[0], unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the second victim is reaped", func() bool { return gone(victims[0]) })
	req = receiveAfterWithdrawn(t, c)
	if req.Data.Args[0] != notifValue || !threadOf(child, int(req.Pid)) {
		t.Fatalf("notification from thread %d, argument %d; want the survivor's (a thread of %d, %d)", req.Pid, req.Data.Args[0], child, notifValue)
	}
	if err := NotifRespond(c.fd, &ScmpNotifResp{ID: req.ID, Val: notifAnswer}); err != nil {
		t.Fatalf("NotifRespond to the survivor: %v", err)
	}
	c.cmd.Wait()
	r := exitedChild(c.cmd, &c.stdout, &c.stderr)
	checkReports(t, r, map[string]string{"survivor": fmt.Sprintf("%d/0", notifAnswer), "done": "1"})
	for _, k := range []string{"victim0", "victim1"} {
		if v := r.get(t, k); !strings.Contains(v, "signal: killed") {
			t.Errorf("%s: %s, want killed", k, v)
		}
	}
}

// clearRestart removes SA_RESTART from the handler the Go runtime
// installed for sig, so that a syscall the signal interrupts fails with
// EINTR instead of being restarted by the kernel.
func clearRestart(sig unix.Signal) error {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		return fmt.Errorf("struct sigaction of %s is not laid out here", runtime.GOARCH)
	}
	// handler, flags, restorer, mask
	var sa [4]uint64
	const saRestart = 0x10000000
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&sa)), 8, 0, 0)
	if e != 0 {
		return e
	}
	sa[1] &^= saRestart
	_, _, e = unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// interruptedSupervisor is the child of TestLiveNotifySupervisorSignaled.
// It is both target, on a thread of its own under a filter that notifies
// testNr, and supervisor, on other threads, and sends SIGUSR1 to the
// supervisor's thread while it waits, first with the Go runtime's
// handler, then with SA_RESTART taken off it.
func interruptedSupervisor() {
	signal.Notify(make(chan os.Signal, 16), unix.SIGUSR1)
	fds, calls, results := make(chan int), make(chan uintptr), make(chan uintptr)
	go func() {
		loadThreadWith(oneSyscall(testNr, kernel.RetUserNotif), kernel.FlagNewListener, fds)
		for arg := range calls {
			r, _ := rawErrno(testNr, arg)
			results <- r
		}
	}()
	fd := <-fds
	// signalWhileWaiting runs receive on a thread of its own and signals
	// that thread, three times, while it waits in syscall nr.
	signalWhileWaiting := func(nr uintptr, receive func() error) chan error {
		tids, errs := make(chan int), make(chan error, 1)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tids <- unix.Gettid()
			errs <- receive()
		}()
		tid := <-tids
		for range 3 {
			for end := time.Now().Add(10 * time.Second); !sleepingIn(tid, nr); time.Sleep(time.Millisecond) {
				if len(errs) > 0 {
					// receive returned after the last signal was
					// handled, but before the check below saw it.
					return errs
				}
				if time.Now().After(end) {
					childFail("the supervisor thread does not wait in syscall %d", nr)
				}
			}
			unix.Tgkill(unix.Getpid(), tid, unix.SIGUSR1)
			for end := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
				st, _ := threadStatus(filepath.Join("/proc/self/task", strconv.Itoa(tid)))
				mask, _ := strconv.ParseUint(st["SigPnd"], 16, 64)
				if mask&(1<<(unix.SIGUSR1-1)) == 0 {
					break
				}
				if time.Now().After(end) {
					childFail("the signal is not handled")
				}
			}
			if len(errs) > 0 {
				break // returned: the kernel's receive alone fails at once
			}
		}
		return errs
	}

	// With the runtime's handler, which has SA_RESTART, the kernel
	// restarts its receive (since Linux 6.6; before, it fails with EINTR).
	var kreq kernel.NotifReq
	errs := signalWhileWaiting(unix.SYS_IOCTL, func() error { return kernel.NotifRecvInto(fd, &kreq) })
	calls <- notifValue + 5
	err := <-errs
	report("restart_err", err)
	if err == nil {
		report("restart_respond", kernel.NotifSend(fd, kernel.NotifResp{ID: kreq.ID, Val: notifAnswer + 5}))
		report("restart_result", <-results)
	}

	// Without SA_RESTART the kernel's receive fails with EINTR.
	if err := clearRestart(unix.SIGUSR1); err != nil {
		childFail("sigaction: %v", err)
	}
	errs = signalWhileWaiting(unix.SYS_IOCTL, func() error { return kernel.NotifRecvInto(fd, &kreq) })
	report("raw", <-errs)

	// NotifReceiveInto waits on and returns the next notification.
	waitNr := uintptr(unix.SYS_IOCTL)
	if !kernel.RecvWakesWhenUnused() {
		waitNr = pollNr
	}
	var req ScmpNotifReq
	errs = signalWhileWaiting(waitNr, func() error { return NotifReceiveInto(ScmpFd(fd), &req) })
	calls <- notifValue
	err = <-errs
	report("into_err", err)
	if err == nil {
		report("into_arg", req.Data.Args[0])
		report("into_respond", NotifRespond(ScmpFd(fd), &ScmpNotifResp{ID: req.ID, Val: notifAnswer}))
		report("into_result", <-results)
	}

	// So does NotifReceive, which waits in poll.
	var got *ScmpNotifReq
	errs = signalWhileWaiting(pollNr, func() (err error) {
		got, err = NotifReceive(ScmpFd(fd))
		return err
	})
	calls <- notifValue + 1
	err = <-errs
	report("receive_err", err)
	if err == nil {
		report("receive_arg", got.Data.Args[0])
		report("receive_respond", NotifRespond(ScmpFd(fd), &ScmpNotifResp{ID: got.ID, Val: notifAnswer + 1}))
		report("receive_result", <-results)
	}
	childDone()
}

// loadThreadWith loads p with flags on the calling goroutine's thread
// alone, as loadThread does, and sends the listener on fds.
func loadThreadWith(p bpf.Program, flags uint, fds chan<- int) {
	runtime.LockOSThread()
	if err := kernel.SetNoNewPrivs(); err != nil {
		childFail("no_new_privs: %v", err)
	}
	fd, err := kernel.Load(p, flags)
	if err != nil {
		childFail("load: %v", err)
	}
	fds <- fd
}

// TestLiveNotifySupervisorSignaled signals the supervisor's thread while
// it waits for a notification. Handlers installed with SA_RESTART (all of
// the Go runtime's) make the kernel restart the receive, since Linux 6.6;
// without SA_RESTART, or before 6.6, the kernel's receive fails with
// EINTR, which NotifReceiveInto and NotifReceive must retry.
func TestLiveNotifySupervisorSignaled(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("struct sigaction of %s is not laid out here", runtime.GOARCH)
	}
	if inLiveChild(t) {
		interruptedSupervisor()
	}
	r := runLiveChild(t)
	if kernelAtLeast(t, 6, 6) {
		checkReports(t, r, map[string]string{
			"restart_err":     "<nil>",
			"restart_respond": "<nil>",
			"restart_result":  strconv.Itoa(notifAnswer + 5),
		})
	} else if got := r.get(t, "restart_err"); got != syscall.EINTR.Error() {
		t.Errorf("receive interrupted by a handler with SA_RESTART before Linux 6.6: %s, want EINTR", got)
	}
	checkReports(t, r, map[string]string{
		"raw":             syscall.EINTR.Error(),
		"into_err":        "<nil>",
		"into_arg":        strconv.Itoa(notifValue),
		"into_respond":    "<nil>",
		"into_result":     strconv.Itoa(notifAnswer),
		"receive_err":     "<nil>",
		"receive_arg":     strconv.Itoa(notifValue + 1),
		"receive_respond": "<nil>",
		"receive_result":  strconv.Itoa(notifAnswer + 1),
		"done":            "1",
	})
}
