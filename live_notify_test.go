package seccomp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// Notification cases, chosen by the first argument of the notified call.
const (
	notifValue    = 1001 // answered with a value
	notifErrno    = 1002 // answered with an errno
	notifContinue = 0    // let through: the real getpgid(0) runs
	notifAddSend  = 1003 // a descriptor injected with ADDFD|SEND
	notifAddSetFd = 1004 // a descriptor injected at a chosen number, then answered
	notifDie      = 1005 // the target dies while the supervisor holds it

	notifAnswer  = 4242
	notifSetFdAt = 100
)

// sendFd passes fd over the unix socket sock.
func sendFd(sock, fd int) error {
	return unix.Sendmsg(sock, []byte{'F'}, unix.UnixRights(fd), nil, 0)
}

// recvFd receives a descriptor passed with sendFd.
func recvFd(sock int) (int, error) {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, 0)
	if err != nil {
		return -1, err
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return -1, fmt.Errorf("control messages %v: %v", msgs, err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return -1, fmt.Errorf("rights %v: %v", fds, err)
	}
	return fds[0], nil
}

// notifyTarget is the child of the notification tests: it loads a filter
// sending getpgid to a supervisor, passes the listener to the parent over
// descriptor 3, and makes one call per case.
func notifyTarget(load func() (int, error)) {
	pgid := unix.Getpgrp()
	fd, err := load()
	if err != nil {
		childFail("load: %v", err)
	}
	if fd < 0 {
		childFail("no listener descriptor after load")
	}
	if err := sendFd(3, fd); err != nil {
		childFail("send: %v", err)
	}
	unix.Close(fd)

	r, errno := rawErrno(testNr, notifValue, 2, 3, 4, 5, 6)
	report("value_ret", r)
	report("value_errno", int(errno))

	_, errno = rawErrno(testNr, notifErrno)
	report("errno_errno", int(errno))

	r, errno = rawErrno(testNr, notifContinue)
	report("continue_ok", errno == 0 && int(r) == pgid)

	r, errno = rawErrno(testNr, notifAddSend)
	report("addsend_errno", int(errno))
	report("addsend_content", readFd(int(r)))

	r, errno = rawErrno(testNr, notifAddSetFd)
	report("addsetfd_ret", r)
	report("addsetfd_errno", int(errno))
	report("addsetfd_content", readFd(notifSetFdAt))
	flags, err := unix.FcntlInt(notifSetFdAt, unix.F_GETFD, 0)
	report("addsetfd_cloexec", err == nil && flags&unix.FD_CLOEXEC != 0)

	report("dying", 1)
	rawErrno(testNr, notifDie)
	report("survived", 1)
	childDone()
}

// readFd reads what a descriptor injected by the supervisor holds.
func readFd(fd int) string {
	buf := make([]byte, 64)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return "error: " + err.Error()
	}
	return string(buf[:n])
}

// pipeWith returns the read end of a pipe holding s.
func pipeWith(t *testing.T, s string) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString(s); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { r.Close() })
	return r
}

// superviseNotify is the parent side: it starts the child, receives the
// listener and answers each case through the package's notification API.
func superviseNotify(t *testing.T) {
	native, err := GetNativeArch()
	if err != nil {
		t.Fatal(err)
	}
	c := startListenerChild(t)
	cmd, fd, stdout, stderr := c.cmd, c.fd, &c.stdout, &c.stderr
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()

	answered := map[uint64]bool{}
	for !answered[notifDie] {
		req, err := NotifReceive(fd)
		if err != nil {
			t.Fatalf("NotifReceive: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		}
		d := req.Data
		if d.Syscall != ScmpSyscall(testNr) || d.Arch != native || len(d.Args) != 6 || d.InstrPointer == 0 {
			t.Errorf("notification data %+v, want syscall %d on %v with 6 args", d, testNr, native)
		}
		task := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "task", strconv.Itoa(int(req.Pid)))
		if _, err := os.Stat(task); err != nil {
			t.Errorf("notification pid %d is not a thread of the child %d", req.Pid, cmd.Process.Pid)
		}
		if err := NotifIDValid(fd, req.ID); err != nil {
			t.Errorf("NotifIDValid of a pending notification: %v", err)
		}
		var rerr error
		switch d.Args[0] {
		case notifValue:
			if want := []uint64{notifValue, 2, 3, 4, 5, 6}; fmt.Sprint(d.Args) != fmt.Sprint(want) {
				t.Errorf("args %v, want %v", d.Args, want)
			}
			rerr = NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Val: notifAnswer})
		case notifErrno:
			rerr = NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Error: int32(unix.EXDEV)})
		case notifContinue:
			// CONTINUE with a value is refused by the kernel.
			if err := NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Val: 1, Flags: NotifRespFlagContinue}); err != syscall.ECANCELED {
				t.Errorf("CONTINUE with a value: %v, want ECANCELED", err)
			}
			rerr = NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Flags: NotifRespFlagContinue})
		case notifAddSend:
			r := pipeWith(t, "sent with the answer")
			var n int
			n, rerr = NotifAddFd(fd, &ScmpNotifAddFd{ID: req.ID, SrcFd: int(r.Fd()), Flags: NotifAddFdFlagSend})
			if rerr == nil && n < 0 {
				t.Errorf("NotifAddFd returned %d", n)
			}
		case notifAddSetFd:
			r := pipeWith(t, "placed at 100")
			var n int
			n, rerr = NotifAddFd(fd, &ScmpNotifAddFd{ID: req.ID, SrcFd: int(r.Fd()),
				NewFd: notifSetFdAt, Flags: NotifAddFdFlagSetFd, NewFdFlags: unix.O_CLOEXEC})
			if rerr == nil {
				if n != notifSetFdAt {
					t.Errorf("NotifAddFd with SETFD gave %d, want %d", n, notifSetFdAt)
				}
				rerr = NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Val: uint64(n)})
			}
		case notifDie:
			// The target dies while its syscall waits for us.
			cmd.Process.Kill()
			<-exited
			checkDeadTarget(t, fd, req.ID)
		default:
			t.Errorf("unexpected notification with args %v", d.Args)
			rerr = NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Error: int32(unix.EPERM)})
		}
		switch {
		case rerr == nil:
			answered[d.Args[0]] = true
		case errors.Is(rerr, syscall.ENOENT):
			// The call was interrupted before the answer; it is made
			// again and comes back as a new notification.
		default:
			t.Errorf("answering case %d: %v", d.Args[0], rerr)
			answered[d.Args[0]] = true
		}
	}
	<-exited
	r := exitedChild(cmd, stdout, stderr)
	checkReports(t, r, map[string]string{
		"value_ret":        strconv.Itoa(notifAnswer),
		"value_errno":      "0",
		"errno_errno":      strconv.Itoa(int(unix.EXDEV)),
		"continue_ok":      "true",
		"addsend_errno":    "0",
		"addsend_content":  "sent with the answer",
		"addsetfd_ret":     strconv.Itoa(notifSetFdAt),
		"addsetfd_errno":   "0",
		"addsetfd_content": "placed at 100",
		"addsetfd_cloexec": "true",
		"dying":            "1",
	})
	if _, ok := r.kv["survived"]; ok {
		t.Errorf("the killed target went on\n%v", r)
	}
	if !r.status.Signaled() || r.status.Signal() != unix.SIGKILL {
		t.Errorf("child %v, want killed by SIGKILL", describeStatus(r.status))
	}
}

// checkDeadTarget checks every notification call on a notification whose
// target is gone: ENOENT, and no call hangs.
func checkDeadTarget(t *testing.T, fd ScmpFd, id uint64) {
	if err := NotifIDValid(fd, id); err != syscall.ENOENT {
		t.Errorf("NotifIDValid after the target died: %v, want ENOENT", err)
	}
	if err := NotifRespond(fd, &ScmpNotifResp{ID: id, Val: 1}); err != syscall.ENOENT {
		t.Errorf("NotifRespond after the target died: %v, want ENOENT", err)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if _, err := NotifAddFd(fd, &ScmpNotifAddFd{ID: id, SrcFd: int(null.Fd())}); err != syscall.ENOENT {
		t.Errorf("NotifAddFd after the target died: %v, want ENOENT", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := NotifReceive(fd)
		done <- err
	}()
	select {
	case err := <-done:
		if err != ErrNotifNoTarget || !errors.Is(err, syscall.ENOENT) {
			t.Errorf("NotifReceive with no target left: %v, want ErrNotifNoTarget (ENOENT)", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("NotifReceive with no target left hangs")
	}
}

// TestLiveNotify runs a user-notification round trip through the kernel
// layer's loader: answers with a value, an errno, CONTINUE, descriptors
// injected with ADDFD (with SEND, and at a chosen number), and a target
// that dies while it waits.
func TestLiveNotify(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	if inLiveChild(t) {
		notifyTarget(func() (int, error) {
			err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetUserNotif), kernel.Options{
				NoNewPrivs: true, TSync: true, NotifyUsed: true, WaitKillableRecv: true,
			})
			return kernel.NotifyFd(), err
		})
	}
	superviseNotify(t)
}

// TestLiveNotifyErrors checks the notification calls on descriptors that
// are not listeners.
func TestLiveNotifyErrors(t *testing.T) {
	requireLive(t)
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	fd := ScmpFd(null.Fd())
	if _, err := NotifReceive(fd); err != syscall.ECANCELED {
		t.Errorf("NotifReceive on /dev/null: %v, want ECANCELED", err)
	}
	if err := NotifRespond(fd, &ScmpNotifResp{ID: 1}); err != syscall.ECANCELED {
		t.Errorf("NotifRespond on /dev/null: %v, want ECANCELED", err)
	}
	if _, err := NotifReceive(-1); err != syscall.ECANCELED {
		t.Errorf("NotifReceive(-1): %v, want ECANCELED", err)
	}
	if err := NotifIDValid(fd, 1); err != syscall.ENOENT {
		t.Errorf("NotifIDValid on /dev/null: %v, want ENOENT", err)
	}
	if _, err := NotifAddFd(fd, &ScmpNotifAddFd{ID: 1, SrcFd: 0}); err == nil {
		t.Error("NotifAddFd on /dev/null succeeded")
	}
	if _, err := NotifAddFd(fd, nil); err != syscall.EINVAL {
		t.Errorf("NotifAddFd(nil): %v, want EINVAL", err)
	}
	if _, err := NotifAddFd(fd, &ScmpNotifAddFd{SrcFd: -1}); err != syscall.EBADF {
		t.Errorf("NotifAddFd with SrcFd -1: %v, want EBADF", err)
	}
	if err := NotifRespond(fd, nil); err != syscall.EINVAL {
		t.Errorf("NotifRespond(nil): %v, want EINVAL", err)
	}
}

// interruptedTarget loads a notifying filter, with or without
// WAIT_KILLABLE_RECV, passes the listener over descriptor 3 and makes one
// notified call.
func interruptedTarget(waitKill bool) {
	err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetUserNotif), kernel.Options{
		NoNewPrivs: true, TSync: true, NotifyUsed: true, WaitKillableRecv: waitKill,
	})
	if err != nil {
		childFail("load: %v", err)
	}
	if err := sendFd(3, kernel.NotifyFd()); err != nil {
		childFail("send: %v", err)
	}
	r, errno := rawErrno(testNr, notifValue)
	report("ret", r)
	report("errno", int(errno))
	childDone()
}

// superviseInterrupted receives the target's notification, sends its
// thread a signal it handles (SIGURG, which the Go runtime catches), and
// checks whether the notification survived.
func superviseInterrupted(t *testing.T, waitKill bool) {
	c := startListenerChild(t)
	cmd, fd, stdout, stderr := c.cmd, c.fd, &c.stdout, &c.stderr

	req, err := NotifReceive(fd)
	if err != nil {
		t.Fatalf("NotifReceive: %v", err)
	}
	if err := unix.Tgkill(cmd.Process.Pid, int(req.Pid), unix.SIGURG); err != nil {
		t.Fatalf("tgkill: %v", err)
	}
	// Give the target time to act on the signal: without
	// WAIT_KILLABLE_RECV it withdraws the notification as soon as it
	// runs; with it, 200ms is plenty to show that it does not.
	wait := 5 * time.Second
	if waitKill {
		wait = 200 * time.Millisecond
	}
	valid := NotifIDValid(fd, req.ID)
	for end := time.Now().Add(wait); valid == nil && time.Now().Before(end); valid = NotifIDValid(fd, req.ID) {
		time.Sleep(20 * time.Millisecond)
	}
	if waitKill {
		// Once received, the target waits killably: the signal waits.
		if valid != nil {
			t.Errorf("with WAIT_KILLABLE_RECV the signal withdrew the notification: %v", valid)
		}
	} else {
		// The signal interrupts the wait: the notification is gone, and
		// the restarted syscall sends a new one.
		if valid != syscall.ENOENT {
			t.Errorf("NotifIDValid after the signal: %v, want ENOENT", valid)
		}
		if err := NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Val: 1}); err != syscall.ENOENT {
			t.Errorf("NotifRespond to the withdrawn notification: %v, want ENOENT", err)
		}
		again, err := NotifReceive(fd)
		if err != nil {
			t.Fatalf("NotifReceive of the restarted call: %v", err)
		}
		if again.ID == req.ID || again.Data.Args[0] != notifValue {
			t.Errorf("restarted call: ID %d (first %d), args %v", again.ID, req.ID, again.Data.Args)
		}
		req = again
	}
	if err := NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Val: notifAnswer}); err != nil {
		t.Errorf("NotifRespond: %v", err)
	}
	cmd.Wait()
	kv := parseReports(stdout.String())
	if kv["ret"] != strconv.Itoa(notifAnswer) || kv["errno"] != "0" {
		t.Errorf("target got %q (errno %q), want %d\nstdout:\n%s\nstderr:\n%s",
			kv["ret"], kv["errno"], notifAnswer, stdout.String(), stderr.String())
	}
}

// TestLiveNotifyInterrupted: without WAIT_KILLABLE_RECV a signal to the
// target withdraws a received notification and the call comes again.
func TestLiveNotifyInterrupted(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	if inLiveChild(t) {
		interruptedTarget(false)
	}
	superviseInterrupted(t, false)
}

// TestLiveNotifyWaitKillable: with WAIT_KILLABLE_RECV (API level 7) a
// received notification is not withdrawn by a non-fatal signal.
func TestLiveNotifyWaitKillable(t *testing.T) {
	requireLive(t)
	if ok, _ := kernel.FlagSupported(kernel.FlagWaitKillableRecv); !ok {
		t.Skip("kernel without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
	}
	if inLiveChild(t) {
		interruptedTarget(true)
	}
	superviseInterrupted(t, true)
}
