package seccomp

// Live tests: filters loaded into this machine's kernel, each in a child
// process (see live_util_test.go), checking that every action does what
// seccomp(2) says. The filters here are written by hand so that they
// test the kernel layer alone.

import (
	"errors"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// The syscall the live tests filter. The Go runtime never makes it.
const testNr = unix.SYS_GETPGID

func TestLiveKillProcess(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		noCoreDumps()
		report("loading", 1)
		err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetKillProcess),
			kernel.Options{NoNewPrivs: true, TSync: true})
		if err != nil {
			childFail("load: %v", err)
		}
		report("loaded", 1)
		// Any thread may make the call: KILL_PROCESS ends them all.
		go rawErrno(testNr, 0)
		time.Sleep(10 * time.Second)
		report("survived", 1)
		childDone()
	}
	r := runLiveChild(t)
	r.get(t, "loaded")
	checkKilledBySIGSYS(t, r, "child reported surviving")
}

func TestLiveKillThread(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		noCoreDumps()
		tids := make(chan int, 1)
		go func() {
			loadThread(oneSyscall(testNr, kernel.RetKillThread))
			tids <- unix.Gettid()
			rawErrno(testNr, 0)
			report("returned", 1) // never reached
		}()
		tid := <-tids
		report("victim", tid)
		task := filepath.Join("/proc/self/task", strconv.Itoa(tid))
		deadline := time.Now().Add(10 * time.Second)
		for {
			// A dead thread disappears, except the group leader, which
			// stays a zombie while other threads live.
			st, err := threadStatus(task)
			if errors.Is(err, os.ErrNotExist) || strings.HasPrefix(st["State"], "Z") {
				break
			}
			if time.Now().After(deadline) {
				childFail("thread %d still exists", tid)
			}
			time.Sleep(10 * time.Millisecond)
		}
		report("thread_gone", 1)
		report("leader", tid == unix.Getpid())
		// The other threads never had the filter: the same syscall works
		// for them, whichever runs this goroutine.
		pgid, errno := rawErrno(testNr, 0)
		report("errno_elsewhere", int(errno))
		report("pgid_elsewhere", pgid)
		report("pgid_want", unix.Getpgrp())
		childDone()
	}
	r := runLiveChild(t)
	if !r.status.Exited() || r.status.ExitStatus() != 0 {
		t.Fatalf("child process did not survive its thread\n%v", r)
	}
	r.get(t, "thread_gone")
	t.Logf("the killed thread was the group leader: %s", r.get(t, "leader"))
	if _, ok := r.kv["returned"]; ok {
		t.Errorf("the killed thread's syscall returned\n%v", r)
	}
	if e := r.get(t, "errno_elsewhere"); e != "0" {
		t.Errorf("syscall on another thread failed with errno %s", e)
	}
	if got, want := r.get(t, "pgid_elsewhere"), r.get(t, "pgid_want"); got != want {
		t.Errorf("getpgid on another thread = %s, want %s", got, want)
	}
}

func TestLiveErrno(t *testing.T) {
	requireLive(t)
	cases := []struct {
		data  uint32
		errno int // what the caller sees
	}{
		{1, int(unix.EPERM)},
		{uint32(unix.EACCES), int(unix.EACCES)},
		{uint32(unix.EOPNOTSUPP), int(unix.EOPNOTSUPP)},
		{uint32(unix.EXDEV), int(unix.EXDEV)},
		{4095, 4095},
		{4096, 4095},   // the kernel clamps to MAX_ERRNO
		{0xffff, 4095}, // likewise
		{0, 0},         // "errno 0": the syscall is skipped and returns 0
	}
	if inLiveChild(t) {
		for _, c := range cases {
			onThread(func() {
				loadThread(oneSyscall(testNr, kernel.RetErrno|c.data))
				// A value the real getpgid would fail on with ESRCH.
				r, errno := rawErrno(testNr, 0x7ffffff0)
				report("errno_"+strconv.Itoa(int(c.data)), int(errno))
				report("ret_"+strconv.Itoa(int(c.data)), r)
			})
		}
		// Stacked filters: all run, the highest-precedence action wins,
		// and between equals the filter loaded last.
		onThread(func() {
			loadThread(oneSyscall(testNr, kernel.RetErrno|5))
			loadThread(oneSyscall(testNr, kernel.RetAllow))
			_, errno := rawErrno(testNr, 0)
			report("stack_allow_after_errno", int(errno))
			loadThread(oneSyscall(testNr, kernel.RetErrno|7))
			_, errno = rawErrno(testNr, 0)
			report("stack_errno_after_errno", int(errno))
			loadThread(oneSyscall(testNr, kernel.RetTrace|1))
			_, errno = rawErrno(testNr, 0)
			report("stack_trace_after_errno", int(errno))
		})
		childDone()
	}
	r := runLiveChild(t)
	r.get(t, "done")
	for _, c := range cases {
		got := atoi(t, r.get(t, "errno_"+strconv.Itoa(int(c.data))))
		if got != c.errno {
			t.Errorf("ERRNO(%d): errno %d, want %d", c.data, got, c.errno)
		}
	}
	if got := r.get(t, "ret_0"); got != "0" {
		t.Errorf("ERRNO(0): return value %s, want 0", got)
	}
	for key, want := range map[string]int{
		"stack_allow_after_errno": 5,
		"stack_errno_after_errno": 7,
		"stack_trace_after_errno": 7, // ERRNO outranks TRACE
	} {
		if got := atoi(t, r.get(t, key)); got != want {
			t.Errorf("%s: errno %d, want %d", key, got, want)
		}
	}
}

func TestLiveTraceWithoutTracer(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		onThread(func() {
			loadThread(oneSyscall(testNr, kernel.RetTrace|0x1234))
			_, errno := rawErrno(testNr, 0)
			report("errno", int(errno))
		})
		childDone()
	}
	r := runLiveChild(t)
	if got := atoi(t, r.get(t, "errno")); got != int(unix.ENOSYS) {
		t.Errorf("TRACE without a tracer: errno %d, want ENOSYS (%d)", got, unix.ENOSYS)
	}
}

// TestLiveAllowAndLog checks that ALLOW and LOG both run the syscall,
// with and without SECCOMP_FILTER_FLAG_LOG, and that /proc shows the
// filter on the thread.
func TestLiveAllowAndLog(t *testing.T) {
	requireLive(t)
	cases := []struct {
		name   string
		action uint32
		flags  uint
	}{
		{"allow", kernel.RetAllow, 0},
		{"log", kernel.RetLog, 0},
		{"allow_flaglog", kernel.RetAllow, kernel.FlagLog},
		{"log_flaglog", kernel.RetLog, kernel.FlagLog},
	}
	if inLiveChild(t) {
		want := unix.Getpgrp()
		for _, c := range cases {
			onThread(func() {
				runtime.LockOSThread()
				if err := kernel.SetNoNewPrivs(); err != nil {
					childFail("nnp: %v", err)
				}
				if _, err := kernel.Load(oneSyscall(testNr, c.action), c.flags); err != nil {
					childFail("load: %v", err)
				}
				pgid, errno := rawErrno(testNr, 0)
				report(c.name+"_errno", int(errno))
				report(c.name+"_ok", int(pgid) == want)
				st, err := threadStatus("/proc/thread-self")
				if err != nil {
					childFail("status: %v", err)
				}
				report(c.name+"_mode", st["Seccomp"])
				report(c.name+"_filters", st["Seccomp_filters"])
				report(c.name+"_nnp", st["NoNewPrivs"])
			})
		}
		childDone()
	}
	r := runLiveChild(t)
	for _, c := range cases {
		if e := r.get(t, c.name+"_errno"); e != "0" {
			t.Errorf("%s: errno %s, want 0", c.name, e)
		}
		if ok := r.get(t, c.name+"_ok"); ok != "true" {
			t.Errorf("%s: getpgid did not return the process group", c.name)
		}
		if m := r.get(t, c.name+"_mode"); m != "2" {
			t.Errorf("%s: thread Seccomp mode %s, want 2 (filter)", c.name, m)
		}
		if m := r.get(t, c.name+"_filters"); m != "1" {
			t.Errorf("%s: thread Seccomp_filters %s, want 1", c.name, m)
		}
		if m := r.get(t, c.name+"_nnp"); m != "1" {
			t.Errorf("%s: thread NoNewPrivs %s, want 1", c.name, m)
		}
	}
}

// foreignToken is an architecture this machine's syscalls never have.
func foreignToken() uint32 {
	if nativeToken() == arch.AArch64.Token {
		return arch.X86_64.Token
	}
	return arch.AArch64.Token
}

// TestLiveBadArch loads a filter written only for a foreign
// architecture: every native syscall falls to its bad-arch action.
func TestLiveBadArch(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		noCoreDumps()
		p := bpf.Program{
			ldAbs(offArch),
			jeq(foreignToken(), 0, 1),
			ret(kernel.RetAllow),
			ret(kernel.RetKillProcess),
		}
		report("loading", 1)
		if err := kernel.LoadFilter(p, kernel.Options{NoNewPrivs: true, TSync: true}); err != nil {
			childFail("load: %v", err)
		}
		report("survived", 1)
		childDone()
	}
	checkKilledBySIGSYS(t, runLiveChild(t), "a native syscall got through a foreign-only filter")
}

// TestLiveArgs checks what the kernel puts in seccomp_data.args: full
// 64-bit registers, in this machine's byte order, for all six arguments.
func TestLiveArgs(t *testing.T) {
	requireLive(t)
	// getpgid(a0, .., a5) fails with errno:
	//   10 when a0 == 0x00000001_00000002
	//   11 when the low half of a0 is 2 (and the high half is not 1)
	//   12 when a1 & 0xff == 0x42
	//   13 when a5 > 0xfffffff0 in its high half
	//   14 when a2 has bit 40 set
	// and succeeds (or fails as getpgid does) otherwise.
	p := bpf.Program{
		/* 0 */ ldAbs(offArch),
		/* 1 */ jeq(nativeToken(), 1, 0),
		/* 2 */ ret(kernel.RetKillProcess),
		/* 3 */ ldAbs(offNr),
		/* 4 */ jeq(testNr, 1, 0),
		/* 5 */ ret(kernel.RetAllow),
		/* 6 */ ldAbs(argLo(0)),
		/* 7 */ jeq(2, 0, 4),
		/* 8 */ ldAbs(argHi(0)),
		/* 9 */ jeq(1, 0, 1),
		/* 10 */ ret(kernel.RetErrno | 10),
		/* 11 */ ret(kernel.RetErrno | 11),
		/* 12 */ ldAbs(argLo(1)),
		/* 13 */ andK(0xff),
		/* 14 */ jeq(0x42, 0, 1),
		/* 15 */ ret(kernel.RetErrno | 12),
		/* 16 */ ldAbs(argHi(5)),
		/* 17 */ jgt(0xfffffff0, 0, 1),
		/* 18 */ ret(kernel.RetErrno | 13),
		/* 19 */ ldAbs(argHi(2)),
		/* 20 */ jset(1<<8, 0, 1),
		/* 21 */ ret(kernel.RetErrno | 14),
		/* 22 */ ret(kernel.RetAllow),
	}
	if bits.UintSize == 32 {
		t.Skip("the 64-bit argument cases need 64-bit registers")
	}
	cases := []argCase{
		{"a0 both halves", [6]uint64{0x1_00000002}, 10},
		{"a0 low half only", [6]uint64{2}, 11},
		{"a0 other high half", [6]uint64{0x3_00000002}, 11},
		{"a1 masked", [6]uint64{0, 0x1142}, 12},
		{"a1 masked high bits ignored", [6]uint64{0, 0xffffffff_00000042}, 12},
		{"a1 mask miss", [6]uint64{0, 0x43}, 0},
		{"a5 high", [6]uint64{0, 0, 0, 0, 0, 0xfffffff1_00000000}, 13},
		{"a5 boundary", [6]uint64{0, 0, 0, 0, 0, 0xfffffff0_ffffffff}, 0},
		{"a2 bit 40", [6]uint64{0, 0, 1 << 40}, 14},
		{"a2 bit 8", [6]uint64{0, 0, 1 << 8}, 0},
		{"nothing", [6]uint64{}, 0},
	}
	if inLiveChild(t) {
		onThread(func() {
			loadThread(p)
			reportArgCases(cases)
		})
		childDone()
	}
	// Allowed: getpgid(0) succeeds, other pids may not exist.
	checkArgCases(t, runLiveChild(t), cases, 10, 14)
}

// TestLiveTSync loads with TSYNC and checks every thread of the process:
// /proc shows the filter and no_new_privs on each, and the filter acts on
// each of several locked threads.
func TestLiveTSync(t *testing.T) {
	requireLive(t)
	const workers = 4
	if inLiveChild(t) {
		start := make(chan struct{})
		results := make(chan syscall.Errno, workers)
		for range workers {
			go func() {
				runtime.LockOSThread()
				<-start
				_, errno := rawErrno(testNr, 0)
				results <- errno
			}()
		}
		time.Sleep(50 * time.Millisecond)
		err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetErrno|uint32(unix.EXDEV)),
			kernel.Options{NoNewPrivs: true, TSync: true})
		if err != nil {
			childFail("load: %v", err)
		}
		close(start)
		exdev := 0
		for range workers {
			if <-results == unix.EXDEV {
				exdev++
			}
		}
		report("workers_exdev", exdev)
		tasks, err := filepath.Glob("/proc/self/task/*")
		if err != nil {
			childFail("glob: %v", err)
		}
		report("threads", len(tasks))
		var bad []string
		for _, task := range tasks {
			st, err := threadStatus(task)
			if err != nil {
				continue // the thread has just ended
			}
			if st["Seccomp"] != "2" || st["NoNewPrivs"] != "1" || st["Seccomp_filters"] != "1" {
				bad = append(bad, filepath.Base(task)+":"+st["Seccomp"]+"/"+st["NoNewPrivs"]+"/"+st["Seccomp_filters"])
			}
		}
		report("unsynced", strings.Join(bad, ","))
		childDone()
	}
	r := runLiveChild(t)
	if n := atoi(t, r.get(t, "workers_exdev")); n != workers {
		t.Errorf("%d of %d locked threads saw the filter", n, workers)
	}
	if n := atoi(t, r.get(t, "threads")); n < workers+1 {
		t.Errorf("child had only %d threads", n)
	}
	if u := r.get(t, "unsynced"); u != "" {
		t.Errorf("threads without the filter (tid:Seccomp/NoNewPrivs/filters): %s", u)
	}
}

// TestLiveTSyncFailure makes TSYNC fail on purpose, with a thread that
// has a filter of its own, and checks each error path.
func TestLiveTSyncFailure(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		tids := make(chan int)
		go func() {
			loadThread(oneSyscall(testNr, kernel.RetErrno|1))
			tids <- unix.Gettid()
			select {} // keep the odd thread alive
		}()
		odd := <-tids
		report("odd", odd)
		p := oneSyscall(unix.SYS_GETPPID, kernel.RetAllow)
		runtime.LockOSThread()
		if err := kernel.SetNoNewPrivs(); err != nil {
			childFail("nnp: %v", err)
		}
		_, err := kernel.Load(p, kernel.FlagTSync)
		var tse *kernel.ThreadSyncError
		if errors.As(err, &tse) {
			report("raw_tid", tse.TID)
		} else {
			report("raw_tid", err)
		}
		_, err = kernel.Load(p, kernel.FlagTSync|kernel.FlagTSyncESRCH)
		report("raw_esrch", errnoName(err))
		// libseccomp's mapping: with TSYNC_ESRCH the kernel's ESRCH is a
		// system error like the others.
		report("load", errnoName(kernel.LoadFilter(p, kernel.Options{TSync: true})))
		report("load_raw", errnoName(kernel.LoadFilter(p, kernel.Options{TSync: true, RawRC: true})))
		// With a listener requested, a failed TSYNC creates none.
		fd, err := kernel.Load(p, kernel.FlagTSync|kernel.FlagTSyncESRCH|kernel.FlagNewListener)
		report("raw_listener", errnoName(err))
		report("raw_listener_fd", fd)
		report("load_notify", errnoName(kernel.LoadFilter(p, kernel.Options{TSync: true, NotifyUsed: true})))
		report("notify_fd", kernel.NotifyFd())
		// Without TSYNC_ESRCH (API level 5) the thread id comes back and
		// libseccomp turns it into ESRCH.
		if err := kernel.SetAPILevel(5); err != nil {
			childFail("api: %v", err)
		}
		report("load_api5", errnoName(kernel.LoadFilter(p, kernel.Options{TSync: true})))
		st, err := threadStatus("/proc/thread-self")
		if err != nil {
			childFail("status: %v", err)
		}
		report("filters_here", st["Seccomp_filters"])
		childDone()
	}
	r := runLiveChild(t)
	if got, want := r.get(t, "raw_tid"), r.get(t, "odd"); got != want {
		t.Errorf("raw TSYNC failure names thread %s, want %s", got, want)
	}
	checkReports(t, r, map[string]string{
		"raw_esrch":       "ESRCH",
		"load":            "ECANCELED",
		"load_raw":        "ESRCH",
		"load_api5":       "ESRCH",
		"raw_listener":    "ESRCH",
		"raw_listener_fd": "-1",
		"load_notify":     "ECANCELED",
		"notify_fd":       "-1",
		// Every failed TSYNC load left the thread as it was.
		"filters_here": "0",
	})
}

// errnoName names the errno in err, for reports.
func errnoName(err error) string {
	var errno unix.Errno
	if err == nil {
		return "nil"
	}
	if errors.As(err, &errno) {
		return unix.ErrnoName(errno)
	}
	return err.Error()
}

// dropSysAdmin removes CAP_SYS_ADMIN from the calling thread's effective
// set (capabilities belong to threads), so that loading a filter needs
// no_new_privs. The goroutine must be locked to its thread.
func dropSysAdmin() {
	const capSysAdmin = 21
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		childFail("capget: %v", err)
	}
	data[0].Effective &^= 1 << capSysAdmin
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		childFail("capset: %v", err)
	}
}

// TestLiveNoNewPrivs loads without no_new_privs and without
// CAP_SYS_ADMIN: the kernel refuses with EACCES, which libseccomp reports
// as ECANCELED unless RawRC is set.
func TestLiveNoNewPrivs(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		p := oneSyscall(testNr, kernel.RetErrno|uint32(unix.EXDEV))
		onThread(func() {
			runtime.LockOSThread()
			dropSysAdmin()
			report("kernel", errnoName(kernel.LoadFilter(p, kernel.Options{})))
			report("kernel_raw", errnoName(kernel.LoadFilter(p, kernel.Options{RawRC: true})))
			report("kernel_nnp", errnoName(kernel.LoadFilter(p, kernel.Options{NoNewPrivs: true})))
		})
		onThread(func() {
			runtime.LockOSThread()
			dropSysAdmin()
			f, err := NewFilter(ActAllow)
			if err != nil {
				childFail("NewFilter: %v", err)
			}
			if err := f.SetNoNewPrivsBit(false); err != nil {
				childFail("SetNoNewPrivsBit: %v", err)
			}
			if err := f.SetTSync(false); err != nil {
				childFail("SetTSync: %v", err)
			}
			report("filter", errnoName(f.Load()))
			f.SetRawRC(true)
			report("filter_raw", errnoName(f.Load()))
			f.SetNoNewPrivsBit(true)
			report("filter_nnp", errnoName(f.Load()))
		})
		childDone()
	}
	r := runLiveChild(t)
	checkReports(t, r, map[string]string{
		"kernel":     "ECANCELED",
		"kernel_raw": "EACCES",
		"kernel_nnp": "nil",
		"filter":     "ECANCELED",
		"filter_raw": "EACCES",
		"filter_nnp": "nil",
	})
}

// TestLiveSpecAllow loads with SECCOMP_FILTER_FLAG_SPEC_ALLOW (the SSB
// attribute): the kernel accepts it and does not force speculative store
// bypass mitigation on the thread. (Whether a filter without the flag
// forces it depends on the spec_store_bypass_disable boot setting; it is
// reported for information.)
func TestLiveSpecAllow(t *testing.T) {
	requireLive(t)
	if ok, _ := kernel.FlagSupported(kernel.FlagSpecAllow); !ok {
		t.Skip("kernel without SECCOMP_FILTER_FLAG_SPEC_ALLOW")
	}
	if inLiveChild(t) {
		ssb := func() string {
			st, err := threadStatus("/proc/thread-self")
			if err != nil {
				childFail("status: %v", err)
			}
			return st["Speculation_Store_Bypass"]
		}
		p := oneSyscall(testNr, kernel.RetErrno|uint32(unix.EXDEV))
		onThread(func() {
			runtime.LockOSThread()
			report("before", ssb())
			err := kernel.LoadFilter(p, kernel.Options{NoNewPrivs: true, SpecAllow: true})
			report("load", errnoName(err))
			report("after", ssb())
		})
		onThread(func() {
			runtime.LockOSThread()
			f, err := NewFilter(ActAllow)
			if err != nil {
				childFail("NewFilter: %v", err)
			}
			if err := f.SetSSB(true); err != nil {
				childFail("SetSSB: %v", err)
			}
			f.SetTSync(false)
			report("filter_load", errnoName(f.Load()))
			report("filter_after", ssb())
		})
		onThread(func() {
			runtime.LockOSThread()
			kernel.LoadFilter(p, kernel.Options{NoNewPrivs: true})
			report("without", ssb())
		})
		childDone()
	}
	r := runLiveChild(t)
	if got := r.get(t, "load"); got != "nil" {
		t.Errorf("LoadFilter with SpecAllow: %s", got)
	}
	if got := r.get(t, "filter_load"); got != "nil" {
		t.Errorf("Load with SetSSB(true): %s", got)
	}
	for _, key := range []string{"after", "filter_after"} {
		if got := r.get(t, key); strings.Contains(got, "force mitigated") {
			t.Errorf("%s: speculation store bypass %q with SPEC_ALLOW", key, got)
		}
	}
	t.Logf("Speculation_Store_Bypass: before %q, with SPEC_ALLOW %q, without %q",
		r.get(t, "before"), r.get(t, "after"), r.get(t, "without"))
}
