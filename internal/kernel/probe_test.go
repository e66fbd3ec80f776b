package kernel

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/bpf"
	"golang.org/x/sys/unix"
)

// The kernel features the package probes, in the order a test vector
// lists them, and the API level (seccomp_api_get(3)) that first needs
// each of them.
const (
	tvSyscall = iota
	tvTSync
	tvFlagLog
	tvActLog
	tvKillProcess
	tvSpecAllow
	tvNewListener
	tvUserNotif
	tvTSyncESRCH
	tvWaitKill
	tvCount
)

var tvLevel = [tvCount]uint{
	tvSyscall:     2,
	tvTSync:       2,
	tvFlagLog:     3,
	tvActLog:      3,
	tvKillProcess: 3,
	tvSpecAllow:   4,
	tvNewListener: 5,
	tvUserNotif:   5,
	tvTSyncESRCH:  6,
	tvWaitKill:    7,
}

// tvFeature is the feature of each test vector entry.
var tvFeature = [tvCount]feature{
	tvSyscall:     featSeccomp,
	tvTSync:       featTSync,
	tvFlagLog:     featLogFlag,
	tvActLog:      featLogAction,
	tvKillProcess: featKillProcess,
	tvSpecAllow:   featSpecAllow,
	tvNewListener: featNewListener,
	tvUserNotif:   featUserNotif,
	tvTSyncESRCH:  featTSyncESRCH,
	tvWaitKill:    featWaitKillable,
}

// setSupport replaces what the package knows about the kernel by v and
// forgets the API level, without probing anything.
func setSupport(v [tvCount]tristate) {
	mu.Lock()
	defer mu.Unlock()
	state = support{notifyFd: state.notifyFd}
	for i, f := range tvFeature {
		state.feature[f] = v[i]
	}
}

// getSupport returns what the package knows about the kernel.
func getSupport() [tvCount]tristate {
	mu.Lock()
	defer mu.Unlock()
	var v [tvCount]tristate
	for i, f := range tvFeature {
		v[i] = state.feature[f]
	}
	return v
}

// setNotifyFd pretends the process has the listener fd (-1: none).
func setNotifyFd(fd int) {
	mu.Lock()
	defer mu.Unlock()
	state.notifyFd = fd
}

// wantLevel is the API level of a kernel with the features v says yes
// to: the highest level all of whose features, and those of the levels
// below it, are there.
func wantLevel(v [tvCount]tristate) uint {
	for level := uint(7); level > 1; level-- {
		all := true
		for f, since := range tvLevel {
			if since <= level && v[f] != yes {
				all = false
			}
		}
		if all {
			return level
		}
	}
	return 1
}

// TestAPILevelFromSupport computes the API level for every combination
// of supported and missing features.
func TestAPILevelFromSupport(t *testing.T) {
	defer resetForTest()
	for bits := 0; bits < 1<<tvCount; bits++ {
		var v [tvCount]tristate
		for f := range v {
			v[f] = boolState(bits&(1<<f) != 0)
		}
		setSupport(v)
		want := wantLevel(v)
		if got := APILevel(); got != want {
			t.Errorf("support %v: APILevel() = %d, want %d", v, got, want)
		}
		if got := getSupport(); got != v {
			t.Errorf("support %v: APILevel() changed it to %v", v, got)
		}
		// Cached: the level stays while the support changes.
		setSupportKeepLevel([tvCount]tristate{})
		if got := APILevel(); got != want {
			t.Errorf("support %v: cached APILevel() = %d, want %d", v, got, want)
		}
	}
}

// setSupportKeepLevel is setSupport without forgetting the API level.
func setSupportKeepLevel(v [tvCount]tristate) {
	mu.Lock()
	level := state.apiLevel
	mu.Unlock()
	setSupport(v)
	mu.Lock()
	state.apiLevel = level
	mu.Unlock()
}

// TestAPILevelProbesInOrder checks that detection stops at the first
// missing feature: the features after it stay unprobed, which
// [Options.Flags] relies on since it uses only what is known.
func TestAPILevelProbesInOrder(t *testing.T) {
	defer resetForTest()
	for missing := 0; missing < tvCount; missing++ {
		var v [tvCount]tristate
		for f := range v {
			switch {
			case f < missing:
				v[f] = yes
			case f == missing:
				v[f] = no
			}
		}
		setSupport(v)
		want := tvLevel[missing] - 1
		if got := APILevel(); got != want {
			t.Errorf("feature %d missing: APILevel() = %d, want %d", missing, got, want)
		}
		if got := getSupport(); got != v {
			t.Errorf("feature %d missing: APILevel() probed %v, want %v left", missing, got, v)
		}
	}
}

// TestSetAPILevelRoundTrip checks that the support SetAPILevel implies
// is detected as the same level again.
func TestSetAPILevelRoundTrip(t *testing.T) {
	defer resetForTest()
	for level := uint(1); level <= 7; level++ {
		if err := SetAPILevel(level); err != nil {
			t.Fatal(err)
		}
		v := getSupport()
		for f, since := range tvLevel {
			if v[f] != boolState(level >= since) {
				t.Errorf("SetAPILevel(%d): feature %d is %d", level, f, v[f])
			}
		}
		setSupport(v)
		if got := APILevel(); got != level {
			t.Errorf("SetAPILevel(%d) support detected as level %d", level, got)
		}
	}
}

// TestFlagsAllCombinations checks [Options.Flags] for every combination
// of options, of what is known of TSYNC_ESRCH and USER_NOTIF support
// and of an existing listener, against the rules of its documentation
// stated flag by flag.
func TestFlagsAllCombinations(t *testing.T) {
	defer resetForTest()
	defer setNotifyFd(-1)
	states := []tristate{unknown, no, yes}
	for bits := 0; bits < 1<<7; bits++ {
		o := Options{
			NoNewPrivs:       bits&1 != 0,
			TSync:            bits&2 != 0,
			Log:              bits&4 != 0,
			SpecAllow:        bits&8 != 0,
			WaitKillableRecv: bits&16 != 0,
			NotifyUsed:       bits&32 != 0,
			RawRC:            bits&64 != 0,
		}
		for _, esrch := range states {
			for _, notif := range states {
				for _, fd := range []int{-1, 1000} {
					var v [tvCount]tristate
					for f := range v {
						v[f] = yes
					}
					v[tvTSyncESRCH], v[tvUserNotif] = esrch, notif
					setSupportKeepLevel(v)
					mu.Lock()
					state.apiLevel = 7 // known: Flags probes nothing
					mu.Unlock()
					setNotifyFd(fd)

					listener := o.NotifyUsed && notif == yes && fd == -1
					esrchUsable := esrch == yes && fd == -1
					var want uint
					var wantErr error
					if listener {
						want |= FlagNewListener
					}
					if o.TSync {
						want |= FlagTSync
					}
					if o.TSync && esrchUsable {
						want |= FlagTSyncESRCH
					}
					if listener && o.WaitKillableRecv {
						want |= FlagWaitKillableRecv
					}
					if o.Log {
						want |= FlagLog
					}
					if o.SpecAllow {
						want |= FlagSpecAllow
					}
					if o.TSync && listener && !esrchUsable {
						want, wantErr = 0, unix.EFAULT
					}

					got, err := o.Flags()
					if got != want || err != wantErr {
						t.Errorf("%+v, TSYNC_ESRCH %d, USER_NOTIF %d, listener fd %d: Flags() = %#x, %v; want %#x, %v",
							o, esrch, notif, fd, got, err, want, wantErr)
					}
					if s := getSupport(); s != v {
						t.Errorf("%+v: Flags() changed the support from %v to %v", o, v, s)
					}
				}
			}
		}
	}
}

// TestFlagSupportedNames checks that only the single known flags are
// recognised.
func TestFlagSupportedNames(t *testing.T) {
	defer resetForTest()
	if err := SetAPILevel(7); err != nil {
		t.Fatal(err)
	}
	for _, f := range []uint{0, FlagTSync | FlagLog, FlagNewListener | FlagWaitKillableRecv, 1 << 6, 1 << 31} {
		if ok, err := FlagSupported(f); ok || err != unix.EOPNOTSUPP {
			t.Errorf("FlagSupported(%#x) = %v, %v; want false, EOPNOTSUPP", f, ok, err)
		}
	}
}

// seccompMode returns the Seccomp field of /proc/self/status.
func seccompMode(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Seccomp:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no Seccomp line in /proc/self/status")
	return ""
}

// childEnv names the test that a child process of a live test runs: a
// filter cannot be unloaded, so it is loaded in a child, the test binary
// run again.
const childEnv = "SECCOMP_GO_KERNEL_TEST_CHILD"

// runInChild runs test t again in a child process and fails t with the
// child's output if the child fails. It reports whether the caller is
// the child, which then does the test's work and returns.
func runInChild(t *testing.T) (inChild bool) {
	t.Helper()
	if name := os.Getenv(childEnv); name != "" {
		if name != t.Name() {
			t.Skip("another test's child")
		}
		return true
	}
	requireSeccomp(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watchdog := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer watchdog.Stop()
	if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), "--- PASS: "+t.Name()) {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	return false
}

var allowAll = bpf.Program{{Op: bpf.RET | bpf.K, K: RetAllow}}

// loadOnNewThread loads p with flags on a new thread that then ends, so
// the filter goes with it, and returns the error of [Load].
func loadOnNewThread(p bpf.Program, flags uint) error {
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := SetNoNewPrivs(); err != nil {
			done <- err
			return
		}
		fd, err := Load(p, flags)
		if fd >= 0 {
			unix.Close(fd)
		}
		done <- err
	}()
	return <-done
}

// TestFlagProbesLive checks each flag probe against loading a filter
// with the flag, that probing itself installs nothing, and the action
// probes against the kernel's list.
func TestFlagProbesLive(t *testing.T) {
	if !runInChild(t) {
		return
	}
	resetForTest()
	defer resetForTest()
	flags := []struct {
		flag, with uint
	}{
		{FlagTSync, 0}, {FlagLog, 0}, {FlagSpecAllow, 0}, {FlagNewListener, 0},
		{FlagTSyncESRCH, 0}, {FlagWaitKillableRecv, FlagNewListener},
	}
	supported := make([]bool, len(flags))
	for i, c := range flags {
		ok, err := FlagSupported(c.flag)
		if err != nil {
			t.Fatalf("FlagSupported(%#x): %v", c.flag, err)
		}
		supported[i] = ok
	}
	if m := seccompMode(t); m != "0" {
		t.Fatalf("probing flags left Seccomp: %s", m)
	}
	for i, c := range flags {
		err := loadOnNewThread(allowAll, c.flag|c.with)
		if supported[i] != (err == nil) || (!supported[i] && err != unix.EINVAL) {
			t.Errorf("FlagSupported(%#x) = %v, loading with it: %v", c.flag, supported[i], err)
		}
	}
	if !SyscallSupported() {
		t.Error("SyscallSupported() = false")
	}
	listed := actionsAvail(t)
	for _, c := range []struct {
		name string
		ret  uint32
	}{
		{"kill_process", RetKillProcess}, {"log", RetLog}, {"user_notif", RetUserNotif},
	} {
		if got := ActionSupported(c.ret); got != listed[c.name] {
			t.Errorf("ActionSupported(%s) = %v, /proc lists it: %v", c.name, got, listed[c.name])
		}
	}
}

// TestProbeCacheLive probes part of the features, then loads a filter
// that makes seccomp(2) fail with ENOSYS on every thread: what was
// probed stays as it was, what was not is now found missing, and a fresh
// detection finds a kernel without seccomp(2).
func TestProbeCacheLive(t *testing.T) {
	if !runInChild(t) {
		return
	}
	resetForTest()
	defer resetForTest()
	if ok, err := FlagSupported(FlagLog); !ok || err != nil {
		t.Skipf("kernel without SECCOMP_FILTER_FLAG_LOG: %v, %v", ok, err)
	}
	if !ActionSupported(RetLog) || !ActionSupported(RetUserNotif) {
		t.Skip("kernel without SECCOMP_RET_LOG or SECCOMP_RET_USER_NOTIF")
	}
	if ok, _ := FlagSupported(FlagNewListener); !ok {
		t.Skip("kernel without SECCOMP_FILTER_FLAG_NEW_LISTENER")
	}
	before := DetectAPILevel()
	if before < 2 {
		t.Skip("kernel without TSYNC")
	}

	noSeccomp := bpf.Program{
		{Op: bpf.LD | bpf.W | bpf.ABS, K: 0}, // nr
		{Op: bpf.JMP | bpf.JEQ | bpf.K, K: unix.SYS_SECCOMP, Jt: 0, Jf: 1},
		{Op: bpf.RET | bpf.K, K: RetErrno | uint32(unix.ENOSYS)},
		{Op: bpf.RET | bpf.K, K: RetAllow},
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := SetNoNewPrivs(); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(noSeccomp, FlagTSync); err != nil {
		t.Fatal(err)
	}

	// Cached before the filter.
	if !SyscallSupported() {
		t.Error("cached SyscallSupported() = false")
	}
	if ok, err := FlagSupported(FlagLog); !ok || err != nil {
		t.Errorf("cached FlagSupported(LOG) = %v, %v", ok, err)
	}
	if ok, _ := FlagSupported(FlagNewListener); !ok {
		t.Error("cached FlagSupported(NEW_LISTENER) = false")
	}
	if !ActionSupported(RetLog) || !ActionSupported(RetUserNotif) {
		t.Error("cached ActionSupported(LOG or USER_NOTIF) = false")
	}
	// Probed now, through the filter.
	if ok, err := FlagSupported(FlagSpecAllow); ok || err != nil {
		t.Errorf("FlagSupported(SPEC_ALLOW) through the filter = %v, %v", ok, err)
	}
	if ok, err := FlagSupported(FlagWaitKillableRecv); ok || err != nil {
		t.Errorf("FlagSupported(WAIT_KILLABLE_RECV) through the filter = %v, %v", ok, err)
	}
	if ActionSupported(RetKillProcess) {
		t.Error("ActionSupported(KILL_PROCESS) through the filter = true")
	}
	if !ActionSupported(RetKillThread) || !ActionSupported(RetErrno|1) {
		t.Error("unprobed actions refused")
	}
	if got := DetectAPILevel(); got != 1 {
		t.Errorf("DetectAPILevel() through the filter = %d, want 1", got)
	}
	// TSYNC was not probed before the filter, so detection stops there.
	if got := APILevel(); got != 1 {
		t.Errorf("APILevel() through the filter = %d, want 1", got)
	}
	if ok, _ := FlagSupported(FlagLog); !ok {
		t.Error("FlagSupported(LOG) lost its cached answer")
	}
	// Options.Flags uses only known support: USER_NOTIF is known, so a
	// notifying filter asks for a listener, and TSYNC_ESRCH is not.
	if got, err := (Options{NotifyUsed: true, WaitKillableRecv: true}).Flags(); got != FlagNewListener|FlagWaitKillableRecv || err != nil {
		t.Errorf("Flags() = %#x, %v; want NEW_LISTENER|WAIT_KILLABLE_RECV", got, err)
	}
	if got, err := (Options{NotifyUsed: true, TSync: true}).Flags(); got != 0 || err != unix.EFAULT {
		t.Errorf("Flags() = %#x, %v; want EFAULT", got, err)
	}

	resetForTest()
	if SyscallSupported() {
		t.Error("SyscallSupported() through the filter = true")
	}
	if ok, err := FlagSupported(FlagLog); ok || err != nil {
		t.Errorf("FlagSupported(LOG) through the filter = %v, %v", ok, err)
	}
	if ActionSupported(RetLog) || ActionSupported(RetUserNotif) {
		t.Error("ActionSupported(LOG or USER_NOTIF) through the filter = true")
	}
	if got := APILevel(); got != 1 {
		t.Errorf("fresh APILevel() through the filter = %d, want 1", got)
	}
}

// TestFlagsLive checks [Options.Flags] against the kernel's features
// when nothing was probed or forced.
func TestFlagsLive(t *testing.T) {
	requireSeccomp(t)
	resetForTest()
	defer resetForTest()
	got, err := (Options{TSync: true, NotifyUsed: true, WaitKillableRecv: true}).Flags()
	if err != nil {
		t.Fatal(err)
	}
	level := APILevel()
	var want uint
	switch {
	case level >= 7:
		want = FlagTSync | FlagTSyncESRCH | FlagNewListener | FlagWaitKillableRecv
	case level >= 6:
		want = FlagTSync | FlagTSyncESRCH | FlagNewListener
	default:
		t.Skipf("API level %d", level)
	}
	if got != want {
		t.Errorf("Flags() = %#x at API level %d, want %#x", got, level, want)
	}
}

// TestFeatureTables checks that every feature belongs to exactly one
// API level, above the feature it needs, that every filter flag has its
// feature, and that the tests above cover every feature.
func TestFeatureTables(t *testing.T) {
	levelOf := map[feature]uint{}
	for l, added := range apiLevels {
		for _, f := range added {
			if _, dup := levelOf[f]; dup {
				t.Errorf("feature %d is in two API levels", f)
			}
			levelOf[f] = uint(l)
		}
	}
	for f := feature(0); f < numFeatures; f++ {
		l, ok := levelOf[f]
		if !ok {
			t.Errorf("feature %d is in no API level", f)
			continue
		}
		if n := features[f].needs; n != noFeature && levelOf[n] > l {
			t.Errorf("feature %d of level %d needs feature %d of level %d", f, l, n, levelOf[n])
		}
	}
	for flag := uint(1); flag <= allFlags; flag <<= 1 {
		f, ok := flagFeature(flag)
		if !ok || features[f].flag != flag {
			t.Errorf("flag %#x has no feature", flag)
		}
	}
	seen := map[feature]bool{}
	for i, f := range tvFeature {
		if seen[f] {
			t.Errorf("test vector entries share feature %d", f)
		}
		seen[f] = true
		if levelOf[f] != tvLevel[i] {
			t.Errorf("feature %d is at level %d, the tests expect %d", f, levelOf[f], tvLevel[i])
		}
	}
	if len(seen) != int(numFeatures) {
		t.Errorf("the test vectors cover %d of %d features", len(seen), numFeatures)
	}
}

// TestProbeNeeds checks that a feature is taken to be missing, without
// asking the kernel, when what it needs is known to be missing: every
// flag and probed action without seccomp(2), WAIT_KILLABLE_RECV without
// NEW_LISTENER. On a kernel that has them, a probe would say otherwise.
func TestProbeNeeds(t *testing.T) {
	requireSeccomp(t)
	defer resetForTest()
	var v [tvCount]tristate
	v[tvSyscall] = no
	setSupport(v)
	for flag := uint(1); flag <= allFlags; flag <<= 1 {
		if ok, err := FlagSupported(flag); ok || err != nil {
			t.Errorf("without seccomp(2): FlagSupported(%#x) = %v, %v", flag, ok, err)
		}
	}
	for _, ret := range []uint32{RetKillProcess, RetLog, RetUserNotif} {
		if ActionSupported(ret) {
			t.Errorf("without seccomp(2): ActionSupported(%#x) = true", ret)
		}
	}
	if got := APILevel(); got != 1 {
		t.Errorf("without seccomp(2): APILevel() = %d", got)
	}

	v = [tvCount]tristate{}
	v[tvSyscall], v[tvNewListener] = yes, no
	setSupport(v)
	if ok, err := FlagSupported(FlagWaitKillableRecv); ok || err != nil {
		t.Errorf("without NEW_LISTENER: FlagSupported(WAIT_KILLABLE_RECV) = %v, %v", ok, err)
	}
	if got := getSupport(); got[tvTSync] != unknown || got[tvWaitKill] != no {
		t.Errorf("without NEW_LISTENER: support after the probe is %v", got)
	}
	// With both known, the probe asks the kernel.
	resetForTest()
	ok, err := FlagSupported(FlagWaitKillableRecv)
	if err != nil {
		t.Fatal(err)
	}
	if nl, _ := FlagSupported(FlagNewListener); !nl && ok {
		t.Error("WAIT_KILLABLE_RECV found without NEW_LISTENER")
	}
	if got := getSupport(); got[tvSyscall] != yes || got[tvNewListener] == unknown || got[tvTSync] != unknown {
		t.Errorf("probing WAIT_KILLABLE_RECV left %v", got)
	}
}
