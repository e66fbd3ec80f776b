package seccomp

// Live tests through the package's filter API: rules added with
// NewFilter/AddRule*, compiled and loaded with Load, then enforced by
// this machine's kernel in a child process.

import (
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// newLiveFilter returns a filter allowing everything, or ends the child.
func newLiveFilter() *ScmpFilter {
	f, err := NewFilter(ActAllow)
	if err != nil {
		childFail("NewFilter: %v", err)
	}
	return f
}

// mustRule adds a rule, or ends the child.
func mustRule(f *ScmpFilter, nr uintptr, action ScmpAction, conds ...ScmpCondition) {
	var err error
	if len(conds) == 0 {
		err = f.AddRule(ScmpSyscall(nr), action)
	} else {
		err = f.AddRuleConditional(ScmpSyscall(nr), action, conds)
	}
	if err != nil {
		childFail("rule on %d: %v", nr, err)
	}
}

// cond builds a condition, or ends the child.
func cond(arg uint, op ScmpCompareOp, values ...uint64) ScmpCondition {
	c, err := MakeCondition(arg, op, values...)
	if err != nil {
		childFail("MakeCondition: %v", err)
	}
	return c
}

// mustLoad loads f, or ends the child.
func mustLoad(f *ScmpFilter) {
	if err := f.Load(); err != nil {
		childFail("Load: %v", err)
	}
}

// loadRule loads a filter allowing everything but nr, which gets action,
// or ends the child.
func loadRule(nr uintptr, action ScmpAction) {
	f := newLiveFilter()
	mustRule(f, nr, action)
	mustLoad(f)
}

func errnoAction(e syscall.Errno) ScmpAction { return ActErrno.SetReturnCode(int16(e)) }

// TestLiveFilterArgs checks conditional rules on all six arguments, with
// 64-bit values, as the kernel applies the compiled filter.
func TestLiveFilterArgs(t *testing.T) {
	requireLive(t)
	if bits := strconv.IntSize; bits == 32 {
		t.Skip("the 64-bit argument cases need 64-bit registers")
	}
	cases := []argCase{
		{"a0 == both halves", [6]uint64{0x1_00000002}, 10},
		{"a0 low half only", [6]uint64{2}, 0},
		{"a0 high half only", [6]uint64{0x1_00000000}, 0},
		{"a1 masked", [6]uint64{0, 0x1142}, 12},
		{"a1 masked, high bits ignored", [6]uint64{0, 0xffffffff_00000042}, 12},
		{"a1 mask miss", [6]uint64{0, 0x43}, 0},
		{"a5 > high", [6]uint64{0, 0, 0, 0, 0, 0xfffffff1_00000000}, 13},
		{"a5 == bound", [6]uint64{0, 0, 0, 0, 0, 0xfffffff0_ffffffff}, 0},
		{"a2 == 7 && a3 <= 5", [6]uint64{0, 0, 7, 5}, 14},
		{"a2 == 7 && a3 > 5", [6]uint64{0, 0, 7, 6}, 0},
		{"a2 != 7 && a3 <= 5", [6]uint64{0, 0, 8, 5}, 0},
		{"a4 >= 1<<63", [6]uint64{0, 0, 0, 0, 1 << 63}, 15},
		{"a4 < 1<<63", [6]uint64{0, 0, 0, 0, 1<<63 - 1}, 0},
		{"a3 < 2 (high word set)", [6]uint64{0, 0, 0, 0x1_00000001}, 0},
		{"nothing", [6]uint64{}, 0},
	}
	if inLiveChild(t) {
		f := newLiveFilter()
		mustRule(f, testNr, errnoAction(10), cond(0, CompareEqual, 0x1_00000002))
		mustRule(f, testNr, errnoAction(12), cond(1, CompareMaskedEqual, 0xff, 0x42))
		mustRule(f, testNr, errnoAction(13), cond(5, CompareGreater, 0xfffffff0_ffffffff))
		mustRule(f, testNr, errnoAction(14), cond(2, CompareEqual, 7), cond(3, CompareLessOrEqual, 5))
		mustRule(f, testNr, errnoAction(15), cond(4, CompareGreaterEqual, 1<<63))
		mustLoad(f)
		reportArgCases(cases)
		childDone()
	}
	checkArgCases(t, runLiveChild(t), cases, 10, 15)
}

// TestLiveFilterActions loads one filter with several actions and checks
// each, and that TSYNC (on by default) put it on every thread.
func TestLiveFilterActions(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		sid, err := unix.Getsid(0)
		if err != nil {
			childFail("getsid: %v", err)
		}
		f := newLiveFilter()
		if err := f.SetLogBit(true); err != nil {
			childFail("SetLogBit: %v", err)
		}
		mustRule(f, testNr, errnoAction(unix.EXDEV))
		mustRule(f, unix.SYS_GETPRIORITY, ActTrace.SetReturnCode(9))
		mustRule(f, unix.SYS_GETSID, ActLog)
		mustLoad(f)
		_, errno := rawErrno(testNr, 0)
		report("errno", int(errno))
		_, errno = rawErrno(unix.SYS_GETPRIORITY, unix.PRIO_PROCESS, 0)
		report("trace", int(errno))
		got, errno := rawErrno(unix.SYS_GETSID, 0)
		report("log_ok", errno == 0 && int(got) == sid)
		tasks, _ := filepath.Glob("/proc/self/task/*")
		var bad []string
		for _, task := range tasks {
			if st, err := threadStatus(task); err == nil && (st["Seccomp"] != "2" || st["NoNewPrivs"] != "1") {
				bad = append(bad, filepath.Base(task))
			}
		}
		report("threads", len(tasks))
		report("unsynced", strings.Join(bad, ","))
		childDone()
	}
	r := runLiveChild(t)
	checkReports(t, r, map[string]string{
		"errno":    strconv.Itoa(int(unix.EXDEV)),
		"trace":    strconv.Itoa(int(unix.ENOSYS)),
		"log_ok":   "true",
		"unsynced": "",
	})
	if n := atoi(t, r.get(t, "threads")); n < 2 {
		t.Errorf("child had %d threads; the TSYNC check needs several", n)
	}
}

func TestLiveFilterKillProcess(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		noCoreDumps()
		report("loading", 1)
		loadRule(testNr, ActKillProcess)
		report("loaded", 1)
		go rawErrno(testNr, 0)
		time.Sleep(10 * time.Second)
		report("survived", 1)
		childDone()
	}
	r := runLiveChild(t)
	r.get(t, "loaded")
	checkKilledBySIGSYS(t, r, "the child survived its KILL_PROCESS call")
}

func TestLiveFilterKillThread(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		noCoreDumps()
		loadRule(testNr, ActKillThread)
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(done)
			rawErrno(testNr, 0)
			report("returned", 1)
		}()
		<-done
		time.Sleep(200 * time.Millisecond)
		// The rest of the process goes on; the filter still applies.
		_, errno := rawErrno(unix.SYS_GETPPID)
		report("alive", errno == 0)
		childDone()
	}
	r := runLiveChild(t)
	if !r.status.Exited() || r.status.ExitStatus() != 0 || r.get(t, "alive") != "true" {
		t.Fatalf("process did not outlive its killed thread\n%v", r)
	}
	if _, ok := r.kv["returned"]; ok {
		t.Errorf("the killed thread's call returned\n%v", r)
	}
}

// TestLiveFilterBadArch replaces the native architecture with a foreign
// one: every native syscall then meets the bad-arch action.
func TestLiveFilterBadArch(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		noCoreDumps()
		foreign := ArchARM64
		if native, _ := GetNativeArch(); native == ArchARM64 {
			foreign = ArchAMD64
		}
		f := newLiveFilter()
		if err := f.AddArch(foreign); err != nil {
			childFail("AddArch: %v", err)
		}
		if err := f.RemoveArch(ArchNative); err != nil {
			childFail("RemoveArch: %v", err)
		}
		if err := f.SetBadArchAction(ActKillProcess); err != nil {
			childFail("SetBadArchAction: %v", err)
		}
		report("loading", 1)
		mustLoad(f)
		report("survived", 1)
		childDone()
	}
	checkKilledBySIGSYS(t, runLiveChild(t), "a native syscall got through a foreign-only filter")
}

// TestLiveFilterTrap checks the SIGSYS of an ActTrap rule, read through
// ptrace as in TestLiveTrap.
func TestLiveFilterTrap(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		trapChild(func() {
			loadRule(testNr, ActTrap)
		})
	}
	checkTrap(t, 0) // libseccomp's SCMP_ACT_TRAP carries no data
}

// TestLiveFilterNotify runs the notification round trip of
// TestLiveNotify with the filter built and loaded by the package API and
// the descriptor taken from GetNotifFd.
func TestLiveFilterNotify(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	if inLiveChild(t) {
		notifyTarget(func() (int, error) {
			f := newLiveFilter()
			if fd, err := f.GetNotifFd(); err != nil || fd != -1 {
				childFail("GetNotifFd before Load: %d, %v", fd, err)
			}
			mustRule(f, testNr, ActNotify)
			if err := f.SetWaitKill(true); err != nil {
				childFail("SetWaitKill: %v", err)
			}
			if err := f.Load(); err != nil {
				return -1, err
			}
			fd, err := f.GetNotifFd()
			return int(fd), err
		})
	}
	superviseNotify(t)
}

// TestLiveFilterLoadErrors makes Load fail in the kernel, with a thread
// whose own filter keeps TSYNC from synchronising it, and checks the
// error codes libseccomp documents.
func TestLiveFilterLoadErrors(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		ready := make(chan struct{})
		go func() {
			loadThread(oneSyscall(unix.SYS_GETPPID, kernel.RetErrno|1))
			close(ready)
			select {}
		}()
		<-ready
		f := newLiveFilter()
		mustRule(f, testNr, errnoAction(unix.EXDEV))
		report("default", errnoName(f.Load()))
		if err := f.SetRawRC(true); err != nil {
			childFail("SetRawRC: %v", err)
		}
		report("rawrc", errnoName(f.Load()))
		// Without TSYNC the filter goes on the calling thread only.
		if err := f.SetTSync(false); err != nil {
			childFail("SetTSync: %v", err)
		}
		onThread(func() {
			runtime.LockOSThread()
			report("thread_only", errnoName(f.Load()))
			_, errno := rawErrno(testNr, 0)
			report("thread_errno", int(errno))
		})
		_, errno := rawErrno(testNr, 0)
		report("other_errno", int(errno))
		childDone()
	}
	r := runLiveChild(t)
	checkReports(t, r, map[string]string{
		"default":      "ECANCELED",
		"rawrc":        "ESRCH",
		"thread_only":  "nil",
		"thread_errno": strconv.Itoa(int(unix.EXDEV)),
	})
	if got := r.get(t, "other_errno"); got == strconv.Itoa(int(unix.EXDEV)) {
		t.Errorf("a thread-only filter reached another thread")
	}
}

// TestLiveFilterNotifyFdOnce: as in libseccomp, a process gets one
// listener. A second filter using ActNotify is loaded without one, so
// its notifying rule fails with ENOSYS, and GetNotifFd keeps returning
// the first descriptor.
func TestLiveFilterNotifyFdOnce(t *testing.T) {
	requireLive(t)
	requireNotify(t)
	if inLiveChild(t) {
		f1 := newLiveFilter()
		mustRule(f1, testNr, ActNotify)
		mustLoad(f1)
		fd1, err := f1.GetNotifFd()
		report("fd1", fd1)
		report("err1", err)
		f2 := newLiveFilter()
		mustRule(f2, unix.SYS_GETSID, ActNotify)
		mustLoad(f2)
		fd2, err := f2.GetNotifFd()
		report("same", fd2 == fd1)
		report("err2", err)
		_, errno := rawErrno(unix.SYS_GETSID, 0)
		report("second_errno", int(errno))
		childDone()
	}
	r := runLiveChild(t)
	if fd := atoi(t, r.get(t, "fd1")); fd < 0 {
		t.Errorf("GetNotifFd after loading a notifying filter = %d", fd)
	}
	checkReports(t, r, map[string]string{
		"err1":         "<nil>",
		"err2":         "<nil>",
		"same":         "true",
		"second_errno": strconv.Itoa(int(unix.ENOSYS)),
	})
}
