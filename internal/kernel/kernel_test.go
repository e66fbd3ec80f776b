package kernel

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
	"golang.org/x/sys/unix"
)

func requireSeccomp(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/sys/kernel/seccomp/actions_avail"); err != nil {
		t.Skipf("kernel without seccomp filter support: %v", err)
	}
}

func TestStructSizes(t *testing.T) {
	for _, c := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"Data", unsafe.Sizeof(Data{}), SizeofData},
		{"NotifReq", unsafe.Sizeof(NotifReq{}), SizeofNotifReq},
		{"NotifResp", unsafe.Sizeof(NotifResp{}), SizeofNotifResp},
		{"NotifAddFd", unsafe.Sizeof(NotifAddFd{}), SizeofNotifAddFd},
		{"NotifSizes", unsafe.Sizeof(NotifSizes{}), 6},
	} {
		if c.got != c.want {
			t.Errorf("sizeof %s = %d, want %d", c.name, c.got, c.want)
		}
	}
	// The ioctl numbers carry the structure size in bits 16..29.
	for _, c := range []struct {
		name string
		req  uint
		size uint
	}{
		{"RECV", unix.SECCOMP_IOCTL_NOTIF_RECV, SizeofNotifReq},
		{"SEND", unix.SECCOMP_IOCTL_NOTIF_SEND, SizeofNotifResp},
		{"ID_VALID", unix.SECCOMP_IOCTL_NOTIF_ID_VALID, 8},
		{"ID_VALID (old)", ioctlIDValidWrongDir, 8},
		{"ADDFD", unix.SECCOMP_IOCTL_NOTIF_ADDFD, SizeofNotifAddFd},
	} {
		if got := c.req >> 16 & 0x1fff; got != c.size {
			t.Errorf("ioctl %s encodes size %d, want %d", c.name, got, c.size)
		}
	}
}

func TestKernelNotifSizes(t *testing.T) {
	requireSeccomp(t)
	if !ActionAvailable(RetUserNotif) {
		t.Skip("kernel without user notification")
	}
	if err := CheckNotifSizes(); err != nil {
		t.Fatal(err)
	}
}

// TestActionAvailable compares the SECCOMP_GET_ACTION_AVAIL probe with
// the kernel's own list in /proc.
func TestActionAvailable(t *testing.T) {
	requireSeccomp(t)
	listed := actionsAvail(t)
	for _, c := range []struct {
		name string
		ret  uint32
	}{
		{"kill_process", RetKillProcess},
		{"kill_thread", RetKillThread},
		{"trap", RetTrap},
		{"errno", RetErrno | 1},
		{"user_notif", RetUserNotif},
		{"trace", RetTrace | 7},
		{"log", RetLog},
		{"allow", RetAllow},
	} {
		if got := ActionAvailable(c.ret); got != listed[c.name] {
			t.Errorf("ActionAvailable(%s) = %v, /proc lists it: %v", c.name, got, listed[c.name])
		}
	}
	if ActionAvailable(0x7ff80000) {
		t.Error("ActionAvailable(0x7ff80000) = true for an undefined action")
	}
}

// kernelVersion returns the major and minor number of the running
// kernel.
func kernelVersion(t *testing.T) (int, int) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	rel := unix.ByteSliceToString(u.Release[:])
	parts := strings.SplitN(rel, ".", 3)
	if len(parts) < 2 {
		t.Fatalf("can't parse kernel release %q", rel)
	}
	maj, err1 := strconv.Atoi(parts[0])
	min, err2 := strconv.Atoi(digits(parts[1]))
	if err1 != nil || err2 != nil {
		t.Fatalf("can't parse kernel release %q", rel)
	}
	return maj, min
}

func digits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// TestAPILevelDetected checks the detected level against the kernel
// release that introduced each feature (seccomp_api_get(3)).
func TestAPILevelDetected(t *testing.T) {
	requireSeccomp(t)
	resetForTest()
	defer resetForTest()
	maj, min := kernelVersion(t)
	v := maj*1000 + min
	want := uint(1)
	for _, l := range []struct {
		since int
		level uint
	}{
		{3017, 2}, {4014, 3}, {4017, 4}, {5000, 5}, {5007, 6}, {5019, 7},
	} {
		if v >= l.since {
			want = l.level
		}
	}
	if got := APILevel(); got != want {
		t.Errorf("APILevel() = %d on kernel %d.%d, want %d", got, maj, min, want)
	}
	if !SyscallSupported() {
		t.Error("SyscallSupported() = false")
	}
	if err := SetAPILevel(1); err != nil {
		t.Fatal(err)
	}
	if got := DetectAPILevel(); got != want {
		t.Errorf("DetectAPILevel() = %d on kernel %d.%d, want %d", got, maj, min, want)
	}
	if got := APILevel(); got != 1 {
		t.Errorf("APILevel() = %d after DetectAPILevel, want the forced 1", got)
	}
}

func TestSetAPILevel(t *testing.T) {
	defer resetForTest()
	for _, l := range []uint{0, 8, 100} {
		if err := SetAPILevel(l); err != unix.EINVAL {
			t.Errorf("SetAPILevel(%d) = %v, want EINVAL", l, err)
		}
	}
	// The first level at which each flag or action is offered.
	flags := []struct {
		flag uint
		from uint
	}{
		{FlagTSync, 2}, {FlagLog, 3}, {FlagSpecAllow, 4}, {FlagNewListener, 5},
		{FlagTSyncESRCH, 6}, {FlagWaitKillableRecv, 7},
	}
	actions := []struct {
		ret  uint32
		from uint
	}{
		{RetKillThread, 1}, {RetTrap, 1}, {RetErrno | 5, 1}, {RetTrace | 1, 1},
		{RetAllow, 1}, {RetLog, 3}, {RetKillProcess, 3}, {RetUserNotif, 5},
	}
	for level := uint(1); level <= 7; level++ {
		if err := SetAPILevel(level); err != nil {
			t.Fatalf("SetAPILevel(%d): %v", level, err)
		}
		if got := APILevel(); got != level {
			t.Errorf("APILevel() after SetAPILevel(%d) = %d", level, got)
		}
		if got := SyscallSupported(); got != (level >= 2) {
			t.Errorf("level %d: SyscallSupported() = %v", level, got)
		}
		for _, f := range flags {
			got, err := FlagSupported(f.flag)
			if err != nil || got != (level >= f.from) {
				t.Errorf("level %d: FlagSupported(%#x) = %v, %v", level, f.flag, got, err)
			}
		}
		for _, a := range actions {
			if got := ActionSupported(a.ret); got != (level >= a.from) {
				t.Errorf("level %d: ActionSupported(%#x) = %v", level, a.ret, got)
			}
		}
	}
	if _, err := FlagSupported(1 << 9); err != unix.EOPNOTSUPP {
		t.Errorf("FlagSupported(unknown) error = %v, want EOPNOTSUPP", err)
	}
}

func TestActionSupportedData(t *testing.T) {
	defer resetForTest()
	if err := SetAPILevel(7); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ret  uint32
		want bool
	}{
		{RetErrno | 0, true},
		{RetErrno | 4094, true},
		{RetErrno | 4095, false}, // libseccomp wants data < MAX_ERRNO
		{RetErrno | 0xffff, false},
		{RetTrace | 0xffff, true},
		{RetAllow | 1, false}, // data on an action that takes none
		{RetLog | 1, false},
		{RetKillProcess | 1, false},
		{RetTrap | 1, false},
		{0x7ff80000, false},
		{0x12340000, false},
	} {
		if got := ActionSupported(c.ret); got != c.want {
			t.Errorf("ActionSupported(%#x) = %v, want %v", c.ret, got, c.want)
		}
	}
}

func TestOptionsFlags(t *testing.T) {
	defer resetForTest()
	for _, c := range []struct {
		level uint
		o     Options
		want  uint
		err   error
	}{
		{7, Options{}, 0, nil},
		{7, Options{TSync: true}, FlagTSync | FlagTSyncESRCH, nil},
		{7, Options{NotifyUsed: true}, FlagNewListener, nil},
		{7, Options{NotifyUsed: true, WaitKillableRecv: true}, FlagNewListener | FlagWaitKillableRecv, nil},
		{7, Options{WaitKillableRecv: true}, 0, nil},
		{7, Options{TSync: true, NotifyUsed: true}, FlagTSync | FlagTSyncESRCH | FlagNewListener, nil},
		{7, Options{Log: true, SpecAllow: true}, FlagLog | FlagSpecAllow, nil},
		{5, Options{TSync: true}, FlagTSync, nil},
		{5, Options{NotifyUsed: true}, FlagNewListener, nil},
		{5, Options{TSync: true, NotifyUsed: true}, 0, unix.EFAULT},
		{4, Options{NotifyUsed: true}, 0, nil},
		{4, Options{TSync: true, NotifyUsed: true}, FlagTSync, nil},
		{2, Options{TSync: true, Log: true}, FlagTSync | FlagLog, nil},
	} {
		if err := SetAPILevel(c.level); err != nil {
			t.Fatal(err)
		}
		got, err := c.o.Flags()
		if got != c.want || err != c.err {
			t.Errorf("level %d %+v: Flags() = %#x, %v; want %#x, %v", c.level, c.o, got, err, c.want, c.err)
		}
	}
	// Once the process has a listener, no further one is requested and
	// TSYNC goes back to the plain form.
	if err := SetAPILevel(7); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	state.notifyFd = 1000
	mu.Unlock()
	defer func() { mu.Lock(); state.notifyFd = -1; mu.Unlock() }()
	if got, err := (Options{TSync: true}).Flags(); got != FlagTSync || err != nil {
		t.Errorf("with a listener: TSync Flags() = %#x, %v; want TSYNC", got, err)
	}
	if got, err := (Options{NotifyUsed: true}).Flags(); got != 0 || err != nil {
		t.Errorf("with a listener: NotifyUsed Flags() = %#x, %v; want 0", got, err)
	}
}

func TestFilterRC(t *testing.T) {
	for _, c := range []struct {
		in   error
		raw  bool
		want error
	}{
		{nil, false, nil},
		{unix.EPERM, false, unix.ECANCELED},
		{unix.EINVAL, false, unix.ECANCELED},
		{unix.ESRCH, false, unix.ECANCELED},
		{&ThreadSyncError{TID: 42}, false, unix.ESRCH},
		{&ThreadSyncError{TID: 42}, true, unix.ESRCH},
		{unix.EINVAL, true, unix.EINVAL},
		{unix.EACCES, true, unix.EACCES},
		{unix.ESRCH, true, unix.ESRCH},
		{unix.ENOMEM, true, unix.ENOMEM},
		{unix.EPERM, true, unix.EFAULT},
		{unix.E2BIG, true, unix.EFAULT},
		{unix.EFAULT, true, unix.EFAULT},
		{errors.New("not an errno"), false, unix.ECANCELED},
	} {
		if got := filterRC(c.in, c.raw); got != c.want {
			t.Errorf("filterRC(%v, raw=%v) = %v, want %v", c.in, c.raw, got, c.want)
		}
	}
	if !errors.Is(&ThreadSyncError{TID: 1}, unix.ESRCH) {
		t.Error("ThreadSyncError does not match ESRCH")
	}
}

// TestLoadRefused loads programs the kernel refuses; nothing gets
// installed, so this runs in the test process itself.
func TestLoadRefused(t *testing.T) {
	requireSeccomp(t)
	resetForTest()
	defer resetForTest()
	badOp := bpf.Program{{Op: 0xffff}}
	noRet := bpf.Program{{Op: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}}
	oob := bpf.Program{
		{Op: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 64}, // past seccomp_data
		{Op: unix.BPF_RET | unix.BPF_K, K: RetAllow},
	}
	long := make(bpf.Program, maxInstructions+1)
	for i := range long {
		long[i] = bpf.Instruction{Op: unix.BPF_RET | unix.BPF_K, K: RetAllow}
	}
	for _, c := range []struct {
		name string
		p    bpf.Program
		o    Options
		want error
	}{
		{"bad opcode", badOp, Options{}, unix.ECANCELED},
		{"bad opcode raw", badOp, Options{RawRC: true}, unix.EINVAL},
		{"no return", noRet, Options{RawRC: true}, unix.EINVAL},
		{"load past seccomp_data", oob, Options{RawRC: true, TSync: true}, unix.EINVAL},
		{"empty", nil, Options{RawRC: true}, unix.EINVAL},
		{"too long", long, Options{RawRC: true}, unix.EINVAL},
		{"too long cooked", long, Options{}, unix.ECANCELED},
	} {
		if err := LoadFilter(c.p, c.o); err != c.want {
			t.Errorf("%s: LoadFilter = %v, want %v", c.name, err, c.want)
		}
	}
	if fd := NotifyFd(); fd != -1 {
		t.Errorf("NotifyFd() = %d after failed loads", fd)
	}
}

func TestRawLoadRefused(t *testing.T) {
	requireSeccomp(t)
	for _, c := range []struct {
		name  string
		p     bpf.Program
		flags uint
		want  error
	}{
		{"empty", nil, 0, unix.EINVAL},
		{"unknown flag", bpf.Program{{Op: unix.BPF_RET | unix.BPF_K, K: RetAllow}}, 1 << 12, unix.EINVAL},
		{"wait killable without listener", bpf.Program{{Op: unix.BPF_RET | unix.BPF_K, K: RetAllow}}, FlagWaitKillableRecv, unix.EINVAL},
		{"tsync and listener without esrch", bpf.Program{{Op: unix.BPF_RET | unix.BPF_K, K: RetAllow}}, FlagTSync | FlagNewListener, unix.EINVAL},
		{"bad opcode", bpf.Program{{Op: 0xffff}}, 0, unix.EINVAL},
	} {
		fd, err := Load(c.p, c.flags)
		if err != c.want || fd != -1 {
			t.Errorf("%s: Load = %d, %v; want -1, %v", c.name, fd, err, c.want)
		}
	}
}

func TestNoNewPrivsReadsThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	got, err := NoNewPrivs()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		t.Skip(err)
	}
	want := strings.Contains(string(b), "\nNoNewPrivs:\t1\n")
	if got != want {
		t.Errorf("NoNewPrivs() = %v, /proc says %v", got, want)
	}
}

func TestSetNoNewPrivs(t *testing.T) {
	type result struct {
		got, proc bool
		err       error
	}
	done := make(chan result)
	go func() {
		// The thread keeps no_new_privs; as the goroutine ends locked,
		// the runtime discards the thread.
		runtime.LockOSThread()
		if err := SetNoNewPrivs(); err != nil {
			done <- result{err: err}
			return
		}
		got, err := NoNewPrivs()
		b, _ := os.ReadFile("/proc/thread-self/status")
		done <- result{got, strings.Contains(string(b), "\nNoNewPrivs:\t1\n"), err}
	}()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !r.got || !r.proc {
		t.Errorf("after SetNoNewPrivs: NoNewPrivs() = %v, /proc says %v", r.got, r.proc)
	}
}

// TestFlagValues checks the filter flags against the kernel's UAPI values
// and against the copies package db keeps, which cannot import this one.
func TestFlagValues(t *testing.T) {
	for _, c := range []struct {
		name           string
		ours, db, uapi uint
	}{
		{"TSYNC", FlagTSync, db.FlagTSync, unix.SECCOMP_FILTER_FLAG_TSYNC},
		{"LOG", FlagLog, db.FlagLog, unix.SECCOMP_FILTER_FLAG_LOG},
		{"SPEC_ALLOW", FlagSpecAllow, db.FlagSpecAllow, unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW},
		{"NEW_LISTENER", FlagNewListener, db.FlagNewListener, unix.SECCOMP_FILTER_FLAG_NEW_LISTENER},
		{"TSYNC_ESRCH", FlagTSyncESRCH, db.FlagTSyncESRCH, unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH},
		{"WAIT_KILLABLE_RECV", FlagWaitKillableRecv, db.FlagWaitKillableRecv, unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
	} {
		if c.ours != c.uapi || c.db != c.uapi {
			t.Errorf("SECCOMP_FILTER_FLAG_%s is %#x; kernel.Flag %#x, db.Flag %#x", c.name, c.uapi, c.ours, c.db)
		}
	}
}

// actionsAvail returns the actions the kernel lists in
// /proc/sys/kernel/seccomp/actions_avail.
func actionsAvail(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/kernel/seccomp/actions_avail")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range strings.Fields(string(b)) {
		listed[f] = true
	}
	return listed
}
