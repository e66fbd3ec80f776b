package seccomp

import (
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/internal/kernel"
)

// BenchmarkLiveNotifyRoundTrip measures one user notification: the
// target's syscall, the supervisor's NotifReceive and NotifRespond, and
// the target's return, with the target in a child process.
func BenchmarkLiveNotifyRoundTrip(b *testing.B) {
	requireLive(b)
	requireNotify(b)
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
	c := startListenerChild(b, countEnv+"="+strconv.Itoa(b.N))
	cmd, fd, stdout, stderr := c.cmd, c.fd, &c.stdout, &c.stderr
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
