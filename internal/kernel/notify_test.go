package kernel

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/bpf"
	"golang.org/x/sys/unix"
)

// runNotifyChild is runInChild for a test that needs user notification:
// it skips t on a kernel without it.
func runNotifyChild(t *testing.T) (inChild bool) {
	t.Helper()
	if os.Getenv(childEnv) == "" {
		requireSeccomp(t)
		if !ActionAvailable(RetUserNotif) {
			t.Skip("kernel without user notification")
		}
	}
	return runInChild(t)
}

// notifyGetpgid is a filter that notifies getpgid on the native
// architecture and allows everything else.
func notifyGetpgid() bpf.Program {
	return bpf.Program{
		{Op: bpf.LD | bpf.W | bpf.ABS, K: 0}, // nr
		{Op: bpf.JMP | bpf.JEQ | bpf.K, K: unix.SYS_GETPGID, Jt: 0, Jf: 1},
		{Op: bpf.RET | bpf.K, K: RetUserNotif},
		{Op: bpf.RET | bpf.K, K: RetAllow},
	}
}

// notifyThread is a thread under notifyGetpgid, the target of a test: it
// makes a getpgid call with each argument sent on calls and sends back
// the result, and ends (its thread with it) when calls is closed.
type notifyThread struct {
	fd      int // the listener
	calls   chan uintptr
	results chan string
}

// startNotifyThread loads notifyGetpgid on a new thread alone, with
// flags besides FlagNewListener, and returns it.
func startNotifyThread(t *testing.T, flags uint) *notifyThread {
	n := &notifyThread{calls: make(chan uintptr), results: make(chan string)}
	loaded := make(chan error)
	onOwnThread(func() {
		if err := SetNoNewPrivs(); err != nil {
			loaded <- err
			return
		}
		fd, err := Load(notifyGetpgid(), FlagNewListener|flags)
		n.fd = fd
		loaded <- err
		if err != nil {
			return
		}
		for arg := range n.calls {
			r, _, errno := unix.Syscall(unix.SYS_GETPGID, arg, 0, 0)
			n.results <- fmt.Sprintf("%d/%d", r, errno)
		}
	})
	if err := <-loaded; err != nil {
		t.Fatalf("load: %v", err)
	}
	return n
}

// onOwnThread runs f on a new goroutine locked for good to a thread other
// than the main one, so that the thread ends when f returns (the runtime
// keeps the main thread, which would keep the filter in use).
func onOwnThread(f func()) {
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			runtime.UnlockOSThread()
			onOwnThread(f)
			return
		}
		f()
	}()
}

// TestNotifSetFlags sets the listener's flags: SYNC_WAKE_UP and 0 are
// accepted, an unknown flag refused with EINVAL, a descriptor that is not
// a listener with ENOTTY; round trips then work in synchronous mode.
func TestNotifSetFlags(t *testing.T) {
	if !runNotifyChild(t) {
		return
	}
	n := startNotifyThread(t, 0)
	if err := NotifSetFlags(n.fd, 2); err != unix.EINVAL {
		t.Errorf("NotifSetFlags(2) = %v, want EINVAL", err)
	}
	if err := NotifSetFlags(n.fd, 1<<63); err != unix.EINVAL {
		t.Errorf("NotifSetFlags(1<<63) = %v, want EINVAL", err)
	}
	if err := NotifSetFlags(n.fd, 0); err != nil {
		t.Errorf("NotifSetFlags(0) = %v", err)
	}
	if err := NotifSetFlags(n.fd, NotifFdSyncWakeUp); err != nil {
		t.Fatalf("NotifSetFlags(SYNC_WAKE_UP) = %v (Linux 6.6 or later has it)", err)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if err := NotifSetFlags(int(null.Fd()), NotifFdSyncWakeUp); err != unix.ENOTTY {
		t.Errorf("NotifSetFlags on /dev/null = %v, want ENOTTY", err)
	}
	if pending, unused, err := NotifPending(n.fd); pending || unused || err != nil {
		t.Errorf("NotifPending before any call = %v, %v, %v; want false, false, nil", pending, unused, err)
	}
	var req NotifReq
	for i := range uintptr(100) {
		n.calls <- 1000 + i
		if err := NotifRecvInto(n.fd, &req); err != nil {
			t.Fatalf("call %d: NotifRecvInto: %v", i, err)
		}
		if req.Data.Nr != unix.SYS_GETPGID || req.Data.Args[0] != uint64(1000+i) {
			t.Fatalf("call %d: notification %+v", i, req)
		}
		if err := NotifSend(n.fd, NotifResp{ID: req.ID, Val: int64(7 + i)}); err != nil {
			t.Fatalf("call %d: NotifSend: %v", i, err)
		}
		if got, want := <-n.results, fmt.Sprintf("%d/0", 7+i); got != want {
			t.Fatalf("call %d: the target got %s, want %s", i, got, want)
		}
	}
	// The last target thread ends: the filter is unused.
	close(n.calls)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, unused, err := NotifPending(n.fd)
		if err != nil {
			t.Fatal(err)
		}
		if unused {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("NotifPending does not report the filter unused after its thread ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !RecvWakesWhenUnused() {
		return
	}
	done := make(chan error, 1)
	go func() { done <- NotifRecvInto(n.fd, &req) }()
	select {
	case err := <-done:
		if err != unix.ENOENT {
			t.Errorf("NotifRecvInto on an unused filter = %v, want ENOENT", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("NotifRecvInto on an unused filter blocks, though RecvWakesWhenUnused is true")
	}
}

func TestRecvWakesWhenUnused(t *testing.T) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	release := unix.ByteSliceToString(u.Release[:])
	var major, minor int
	if _, err := fmt.Sscanf(release, "%d.%d", &major, &minor); err != nil {
		t.Fatalf("release %q: %v", release, err)
	}
	want := major > 6 || major == 6 && minor >= 11
	if got := RecvWakesWhenUnused(); got != want {
		t.Errorf("RecvWakesWhenUnused() = %v on %s, want %v", got, release, want)
	}
}
