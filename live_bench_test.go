package seccomp

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// BenchmarkLiveNotifyRoundTrip measures one user notification: the
// target's syscall, the supervisor's NotifReceive and NotifRespond, and
// the target's return, with the target in a child process.
func BenchmarkLiveNotifyRoundTrip(b *testing.B) {
	requireLive(b)
	if !kernel.ActionAvailable(kernel.RetUserNotif) {
		b.Skip("kernel without user notification")
	}
	const countEnv = "SECCOMP_GO_BENCH_N"
	if inLiveChild(b) {
		n, _ := strconv.Atoi(os.Getenv(countEnv))
		err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetUserNotif),
			kernel.Options{NoNewPrivs: true, TSync: true, NotifyUsed: true})
		if err != nil {
			childFail("load: %v", err)
		}
		if err := sendFd(3, kernel.NotifyFd()); err != nil {
			childFail("send: %v", err)
		}
		for range n {
			if r, _ := rawErrno(testNr, notifValue); r != notifAnswer {
				childFail("got %d", r)
			}
		}
		childDone()
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(pair[0])
	childSock := os.NewFile(uintptr(pair[1]), "child")
	cmd := liveCommand(b)
	cmd.Env = append(cmd.Env, countEnv+"="+strconv.Itoa(b.N))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = []*os.File{childSock}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	childSock.Close()
	watchdog := time.AfterFunc(liveTimeout, func() { cmd.Process.Kill() })
	defer watchdog.Stop()
	defer cmd.Process.Kill()
	nfd, err := recvFd(pair[0])
	if err != nil {
		b.Fatalf("receiving the listener: %v\n%s", err, stderr.String())
	}
	defer unix.Close(nfd)
	fd := ScmpFd(nfd)
	b.ResetTimer()
	for i := 0; i < b.N; {
		req, err := NotifReceive(fd)
		if err != nil {
			b.Fatalf("NotifReceive: %v\n%s%s", err, stdout.String(), stderr.String())
		}
		err = NotifRespond(fd, &ScmpNotifResp{ID: req.ID, Val: notifAnswer})
		if err == nil {
			i++
		} else if err != syscall.ENOENT {
			b.Fatalf("NotifRespond: %v", err)
		}
	}
	b.StopTimer()
	cmd.Wait()
	if kv := parseReports(stdout.String()); kv["done"] != "1" {
		b.Fatalf("child did not finish\n%s%s", stdout.String(), stderr.String())
	}
}
