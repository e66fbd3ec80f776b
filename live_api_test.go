package seccomp

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// kernelRelease returns the running kernel's major and minor version.
func kernelRelease(t *testing.T) (int, int) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	rel := unix.ByteSliceToString(u.Release[:])
	f := strings.FieldsFunc(rel, func(r rune) bool { return r < '0' || r > '9' })
	if len(f) < 2 {
		t.Fatalf("can't parse kernel release %q", rel)
	}
	maj, _ := strconv.Atoi(f[0])
	min, _ := strconv.Atoi(f[1])
	return maj, min
}

// TestGetAPI compares the level detected in a new process with the kernel release that
// brought each feature (seccomp_api_get(3)).
func TestGetAPI(t *testing.T) {
	requireLive(t)
	maj, min := kernelRelease(t)
	v := maj*1000 + min
	want := uint(1)
	for _, l := range []struct {
		since int
		level uint
	}{{3017, 2}, {4014, 3}, {4017, 4}, {5000, 5}, {5007, 6}, {5019, 7}} {
		if v >= l.since {
			want = l.level
		}
	}
	if inLiveChild(t) {
		// A fresh process: the level is detected here.
		got, err := GetAPI()
		report("level", got)
		report("err", err)
		childDone()
	}
	r := runLiveChild(t)
	if got, err := r.get(t, "level"), r.get(t, "err"); got != strconv.Itoa(int(want)) || err != "<nil>" {
		t.Errorf("GetAPI() = %s, %s on Linux %d.%d; want %d", got, err, maj, min, want)
	}
}

// TestSetAPI forces every level in a child (the level is process-wide)
// and checks what each one enables.
func TestSetAPI(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		for _, l := range []uint{0, 8} {
			err := SetAPI(l)
			report("set"+strconv.Itoa(int(l)), errors.Is(err, syscall.EINVAL))
			if err != nil {
				report("msg"+strconv.Itoa(int(l)), err.Error())
			}
		}
		for l := uint(1); l <= 7; l++ {
			if err := SetAPI(l); err != nil {
				childFail("SetAPI(%d): %v", l, err)
			}
			got, _ := GetAPI()
			report("get"+strconv.Itoa(int(l)), got)
			_, err := NotifReceive(-1)
			var ve *VersionError
			report("notif"+strconv.Itoa(int(l)), errors.As(err, &ve))
			if l == 5 && err != nil {
				report("notifmsg", err.Error())
			}
		}
		// Level 1 means no seccomp(2): the filter goes in through
		// prctl(PR_SET_SECCOMP), and is enforced all the same.
		if err := SetAPI(1); err != nil {
			childFail("SetAPI(1): %v", err)
		}
		onThread(func() {
			runtime.LockOSThread()
			err := kernel.LoadFilter(oneSyscall(testNr, kernel.RetErrno|uint32(unix.EXDEV)),
				kernel.Options{NoNewPrivs: true})
			report("load1", errnoName(err))
			_, errno := rawErrno(testNr, 0)
			report("errno1", int(errno))
		})
		childDone()
	}
	r := runLiveChild(t)
	checkReports(t, r, map[string]string{
		"set0":   "true",
		"set8":   "true",
		"msg0":   "could not set API level: invalid argument",
		"load1":  "nil",
		"errno1": strconv.Itoa(int(unix.EXDEV)),
	})
	const notifMsg = "seccomp notification requires libseccomp >= 2.5.0 and API level >= 6 (current version: 2.6.1, API level: 5)"
	if msg := r.get(t, "notifmsg"); msg != notifMsg {
		t.Errorf("NotifReceive at level 5: %q, want %q", msg, notifMsg)
	}
	for l := 1; l <= 7; l++ {
		if got := r.get(t, "get"+strconv.Itoa(l)); got != strconv.Itoa(l) {
			t.Errorf("GetAPI after SetAPI(%d) = %s", l, got)
		}
		if got, want := r.get(t, "notif"+strconv.Itoa(l)), strconv.FormatBool(l < 6); got != want {
			t.Errorf("level %d: NotifReceive refused for the API level: %s, want %s", l, got, want)
		}
	}
}

// TestSetAPIRefusesActions checks that actions and attributes beyond the
// API level are refused when the filter is built, never loaded: EINVAL
// from db_col_action_valid, which libseccomp-golang reports as "two
// checks on same syscall argument", and the TSYNC/NOTIFY clash before
// level 6.
func TestSetAPIRefusesActions(t *testing.T) {
	requireLive(t)
	if inLiveChild(t) {
		rule := func(level uint, tsync bool, a ScmpAction) string {
			if err := SetAPI(level); err != nil {
				childFail("SetAPI(%d): %v", level, err)
			}
			f, err := NewFilter(ActAllow)
			if err != nil {
				childFail("NewFilter: %v", err)
			}
			defer f.Release()
			if err := f.SetTSync(tsync); err != nil {
				return "SetTSync: " + errnoName(err)
			}
			return errnoName(f.AddRule(ScmpSyscall(testNr), a))
		}
		report("log2", rule(2, false, ActLog))
		report("killproc2", rule(2, false, ActKillProcess))
		report("log3", rule(3, false, ActLog))
		report("notify4", rule(4, false, ActNotify))
		report("notify5", rule(5, false, ActNotify))
		report("notify5tsync", rule(5, true, ActNotify))
		report("notify6tsync", rule(6, true, ActNotify))
		report("errno4095", rule(7, false, ActErrno.SetReturnCode(4095)))
		if err := SetAPI(2); err != nil {
			childFail("SetAPI: %v", err)
		}
		_, err := NewFilter(ActLog)
		report("newfilter_log2", err != nil)
		childDone()
	}
	r := runLiveChild(t)
	const refused = "two checks on same syscall argument"
	checkReports(t, r, map[string]string{
		"log2":           refused,
		"killproc2":      refused,
		"log3":           "nil",
		"notify4":        refused,
		"notify5":        "nil",
		"notify5tsync":   refused,
		"notify6tsync":   "nil",
		"errno4095":      refused,
		"newfilter_log2": "true",
	})
}
