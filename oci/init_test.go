package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// errnoName returns the name of the errno of a raw syscall result.
func errnoName(e syscall.Errno) string {
	if e == 0 {
		return "ok"
	}
	return unix.ErrnoName(e)
}

// mountOnOtherThread calls mount(NULL, NULL, NULL, 0, NULL) from a
// goroutine locked to a thread other than the caller's. Unconfined, the
// kernel answers EFAULT for the NULL target whatever the capabilities.
func mountOnOtherThread() string {
	done := make(chan string)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		_, _, e := syscall.RawSyscall6(syscall.SYS_MOUNT, 0, 0, 0, 0, 0, 0)
		done <- errnoName(e)
	}()
	return <-done
}

// The child half of the InitSeccomp tests: OCI_TEST_INIT_CHILD names
// what to load; the child prints what a few syscalls return.
func init() {
	mode := os.Getenv("OCI_TEST_INIT_CHILD")
	if mode == "" {
		return
	}
	runtime.LockOSThread()
	fail := func(what string, err error) {
		fmt.Println(what+":", err)
		os.Exit(3)
	}
	switch mode {
	case "docker", "docker-all-threads", "docker-no-caps":
		spec, _, err := Parse(DefaultProfile, Options{Caps: []string{}})
		if err != nil {
			fail("parse", err)
		}
		opts := InitOptions{NoNewPrivs: true, AllThreads: mode == "docker-all-threads"}
		if mode == "docker-no-caps" {
			// Drop every capability of this thread, as runc's init does
			// before loading when no_new_privs is on, and load without
			// no_new_privs.
			hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
			var data [2]unix.CapUserData
			if err := unix.Capset(&hdr, &data[0]); err != nil {
				fail("capset", err)
			}
			opts.NoNewPrivs = false
			_, err := InitSeccomp(spec, opts)
			fmt.Println("needs privilege:", errors.Is(err, ErrNeedsPrivilege))
			b, _ := os.ReadFile("/proc/thread-self/status")
			fmt.Println("seccomp mode 0:", strings.Contains(string(b), "\nSeccomp:\t0\n"))
			os.Exit(0)
		}
		fd, err := InitSeccomp(spec, opts)
		if err != nil {
			fail("init", err)
		}
		nnp, _ := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
		fmt.Println("fd", fd, "no_new_privs", nnp)
		_, _, e := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		fmt.Println("getpid", errnoName(e))
		_, _, e = syscall.RawSyscall6(syscall.SYS_MOUNT, 0, 0, 0, 0, 0, 0)
		fmt.Println("mount", errnoName(e))
		// Argument filters: personality is allowed for a query only.
		_, _, e = syscall.RawSyscall(syscall.SYS_PERSONALITY, 0xffffffff, 0, 0)
		fmt.Println("personality query", errnoName(e))
		_, _, e = syscall.RawSyscall(syscall.SYS_PERSONALITY, 0x0040000, 0, 0)
		fmt.Println("personality ADDR_COMPAT_LAYOUT", errnoName(e))
		// Docker's profile answers clone3 with ENOSYS itself, so that
		// libc falls back to clone.
		_, _, e = syscall.RawSyscall(unix.SYS_CLONE3, 0, 0, 0)
		fmt.Println("clone3", errnoName(e))
		_, _, e = syscall.RawSyscall(1000, 0, 0, 0)
		fmt.Println("syscall 1000", errnoName(e))
		fmt.Println("mount on another thread", mountOnOtherThread())
	case "notify", "notify-all-threads":
		// On this thread alone, even sendmsg can notify; on all
		// threads, the hand-off needs it.
		names, flags, all := `"getppid", "sendmsg"`, `[]`, false
		if mode == "notify-all-threads" {
			names, flags, all = `"getppid"`, `["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]`, true
		}
		profile := fmt.Sprintf(`{
			"defaultAction": "SCMP_ACT_ALLOW",
			"listenerPath": %q,
			"listenerMetadata": "init",
			"flags": %s,
			"syscalls": [{"names": [%s], "action": "SCMP_ACT_NOTIFY"}]
		}`, os.Getenv("OCI_TEST_INIT_AGENT"), flags, names)
		spec, _, err := Parse([]byte(profile), Options{})
		if err != nil {
			fail("parse", err)
		}
		state := specs.State{ID: "init", Status: specs.StateCreating, Pid: os.Getpid(), Bundle: "/nowhere"}
		fd, err := InitSeccomp(spec, InitOptions{NoNewPrivs: true, State: &state, AllThreads: all})
		if err != nil {
			fail("init", err)
		}
		fdFlags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		fmt.Println("descriptor", fd >= 0, "close-on-exec", err == nil && fdFlags&unix.FD_CLOEXEC != 0)
		r, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
		fmt.Println("getppid", int(r), errnoName(e))
	default:
		fail("mode", errors.New(mode))
	}
	os.Exit(0)
}

// runInitChild runs the child half in mode and returns what it printed;
// during, when not nil, runs while the child does.
func runInitChild(t *testing.T, mode string, env []string, during func(*exec.Cmd)) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "OCI_TEST_INIT_CHILD="+mode), env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if during != nil {
		during(cmd)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v: %s", err, out.String())
	}
	return out.String()
}

func TestInitSeccompDocker(t *testing.T) {
	got := runInitChild(t, "docker", nil, nil)
	want := "fd -1 no_new_privs 1\ngetpid ok\nmount EPERM\npersonality query ok\npersonality ADDR_COMPAT_LAYOUT EPERM\nclone3 ENOSYS\nsyscall 1000 ENOSYS\nmount on another thread EFAULT\n"
	if got != want {
		t.Errorf("child printed\n%s\nwant\n%s", got, want)
	}
}

func TestInitSeccompAllThreads(t *testing.T) {
	got := runInitChild(t, "docker-all-threads", nil, nil)
	want := "fd -1 no_new_privs 1\ngetpid ok\nmount EPERM\npersonality query ok\npersonality ADDR_COMPAT_LAYOUT EPERM\nclone3 ENOSYS\nsyscall 1000 ENOSYS\nmount on another thread EPERM\n"
	if got != want {
		t.Errorf("child printed\n%s\nwant\n%s", got, want)
	}
}

func TestInitSeccompNeedsPrivilege(t *testing.T) {
	got := runInitChild(t, "docker-no-caps", nil, nil)
	if want := "needs privilege: true\nseccomp mode 0: true\n"; got != want {
		t.Errorf("child printed\n%s\nwant\n%s", got, want)
	}
}

// The child notifies getppid and sendmsg, and still hands its descriptor
// over: InitSeccomp sends it from a thread the filter does not cover.
func TestInitSeccompHandoff(t *testing.T) {
	if api, err := seccomp.GetAPI(); err != nil || api < 6 {
		t.Skipf("API level %d (%v): no user notification", api, err)
	}
	testHandoff(t, "notify")
}

// With AllThreads, the load takes TSYNC_ESRCH as well as NEW_LISTENER,
// and WAIT_KILLABLE_RECV.
func TestInitSeccompHandoffAllThreads(t *testing.T) {
	if api, err := seccomp.GetAPI(); err != nil || api < 7 {
		t.Skipf("API level %d (%v): no WAIT_KILLABLE_RECV", api, err)
	}
	testHandoff(t, "notify-all-threads")
}

func testHandoff(t *testing.T, mode string) {
	path := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var st specs.ContainerProcessState
	got := runInitChild(t, mode, []string{"OCI_TEST_INIT_AGENT=" + path}, func(cmd *exec.Cmd) {
		if err := l.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
			t.Error(err)
			return
		}
		conn, err := l.AcceptUnix()
		if err != nil {
			t.Errorf("no connection from the child: %v", err)
			return
		}
		defer conn.Close()
		buf, oob := make([]byte, 4096), make([]byte, syscall.CmsgSpace(4))
		n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			t.Error(err)
			return
		}
		if err := json.Unmarshal(buf[:n], &st); err != nil {
			t.Error(err)
			return
		}
		if st.Pid != cmd.Process.Pid {
			t.Errorf("state names pid %d, want the child's %d", st.Pid, cmd.Process.Pid)
		}
		msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			t.Errorf("control messages %v, %v", msgs, err)
			return
		}
		fds, err := syscall.ParseUnixRights(&msgs[0])
		if err != nil || len(fds) != 1 {
			t.Errorf("descriptors %v, %v", fds, err)
			return
		}
		defer syscall.Close(fds[0])
		notify := seccomp.ScmpFd(fds[0])
		req, err := seccomp.NotifReceive(notify)
		if err != nil {
			t.Error(err)
			return
		}
		if want, _ := seccomp.GetSyscallFromName("getppid"); req.Data.Syscall != want {
			t.Errorf("notified syscall %d, want getppid (%d)", req.Data.Syscall, want)
		}
		if err := seccomp.NotifRespond(notify, &seccomp.ScmpNotifResp{ID: req.ID, Val: 4242}); err != nil {
			t.Error(err)
		}
	})
	if want := "descriptor true close-on-exec true\ngetppid 4242 ok\n"; got != want {
		t.Errorf("child printed\n%s\nwant\n%s", got, want)
	}
	if st.Metadata != "init" || st.State.ID != "init" || st.State.Status != specs.StateCreating || len(st.Fds) != 1 || st.Fds[0] != specs.SeccompFdName {
		t.Errorf("state = %+v", st)
	}
}

// noFilterLoaded fails t if a thread of this process has a filter.
func noFilterLoaded(t *testing.T) {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join("/proc/self/task", task.Name(), "status"))
		if err != nil {
			continue // the thread is gone
		}
		if !strings.Contains(string(b), "\nSeccomp:\t0\n") {
			t.Fatalf("thread %s has a seccomp filter", task.Name())
		}
	}
}

// Mistakes are reported before anything is loaded, so these run in the
// test process itself.
func TestInitSeccompErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-agent.sock")
	state := &specs.State{ID: "x"}
	for _, tc := range []struct {
		profile string
		opts    InitOptions
		field   string // a *FieldError for this field; "" for another error
		want    string
	}{
		{
			profile: `{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}`,
			field:   "flags", want: "needs SCMP_ACT_NOTIFY rules",
		},
		{
			profile: `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]}`,
			opts:    InitOptions{State: state},
			field:   "listenerPath", want: "InitOptions.State",
		},
		{
			profile: `{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "` + missing + `", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}, {"names": ["read", "sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}`,
			opts:    InitOptions{State: state, AllThreads: true},
			field:   "syscalls[1].names[1]", want: "sendmsg",
		},
		{
			profile: `{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "` + missing + `", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]}`,
			opts:    InitOptions{State: state},
			want:    "connecting to the agent at listenerPath",
		},
		{
			profile: `{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`,
			field:   "defaultAction", want: "no action given",
		},
		{
			profile: `{"defaultAction": "SCMP_ACT_NOTIFY"}`,
			field:   "defaultAction", want: "cannot be the default action",
		},
	} {
		var spec specs.LinuxSeccomp
		if err := json.Unmarshal([]byte(tc.profile), &spec); err != nil {
			t.Fatal(err)
		}
		fd, err := InitSeccomp(&spec, tc.opts)
		if err == nil || fd != -1 {
			t.Fatalf("%s: fd %d, error %v", tc.profile, fd, err)
		}
		var fe *FieldError
		if isField := errors.As(err, &fe); isField != (tc.field != "") || isField && fe.Field != tc.field {
			t.Errorf("%s: error %v, want one for field %q", tc.profile, err, tc.field)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not say %q", tc.profile, err, tc.want)
		}
		noFilterLoaded(t)
	}
}

// initFlags gives the flags runc's PatchAndLoad computes (LOG, SPEC_ALLOW,
// NEW_LISTENER for any NOTIFY entry, TSYNC ignored), WAIT_KILLABLE_RECV
// as runc 1.5 does, and TSYNC only for AllThreads.
func TestInitFlags(t *testing.T) {
	specAllow, err := kernel.FlagSupported(kernel.FlagSpecAllow)
	if err != nil {
		t.Fatal(err)
	}
	byDefault := uint(0)
	if specAllow {
		byDefault = kernel.FlagSpecAllow
	}
	tsyncESRCH, _ := kernel.FlagSupported(kernel.FlagTSyncESRCH)
	const notify = `"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]`
	for _, tc := range []struct {
		profile string
		opts    InitOptions
		want    uint
	}{
		{`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`, InitOptions{}, byDefault},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "flags": []}`, InitOptions{}, 0},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_TSYNC"]}`, InitOptions{}, 0},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG"]}`, InitOptions{}, kernel.FlagLog},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}`, InitOptions{}, kernel.FlagLog | kernel.FlagSpecAllow},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "flags": [], ` + notify + `}`, InitOptions{}, kernel.FlagNewListener},
		{`{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], ` + notify + `}`, InitOptions{}, kernel.FlagNewListener | kernel.FlagWaitKillableRecv},
		// runc looks at the action only: a NOTIFY entry whose names are
		// all unknown still asks for a listener.
		{`{"defaultAction": "SCMP_ACT_ALLOW", "flags": [], "syscalls": [{"names": ["no_such_syscall"], "action": "SCMP_ACT_NOTIFY"}]}`, InitOptions{}, kernel.FlagNewListener},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "flags": []}`, InitOptions{AllThreads: true}, kernel.FlagTSync},
	} {
		var spec specs.LinuxSeccomp
		if err := json.Unmarshal([]byte(tc.profile), &spec); err != nil {
			t.Fatal(err)
		}
		f, err := NewFilter(&spec, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.profile, err)
		}
		got, err := initFlags(f, &spec, tc.opts)
		f.Release()
		if err != nil || got != tc.want {
			t.Errorf("%s %+v: flags %#x (%v), want %#x", tc.profile, tc.opts, got, err, tc.want)
		}
	}
	if tsyncESRCH {
		var spec specs.LinuxSeccomp
		if err := json.Unmarshal([]byte(`{"defaultAction": "SCMP_ACT_ALLOW", "flags": [], `+notify+`}`), &spec); err != nil {
			t.Fatal(err)
		}
		f, err := NewFilter(&spec, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Release()
		want := kernel.FlagTSync | kernel.FlagTSyncESRCH | kernel.FlagNewListener
		if got, err := initFlags(f, &spec, InitOptions{AllThreads: true}); err != nil || got != want {
			t.Errorf("AllThreads with a listener: flags %#x (%v), want %#x", got, err, want)
		}
	}
}

// As runc, a profile with neither defaultAction nor syscalls means no
// seccomp at all.
func TestInitSeccompEmptyProfile(t *testing.T) {
	fd, err := InitSeccomp(&specs.LinuxSeccomp{Architectures: []specs.Arch{specs.ArchX86}}, InitOptions{})
	if fd != -1 || err != nil {
		t.Errorf("fd %d, error %v; want -1 and nothing loaded", fd, err)
	}
	noFilterLoaded(t)
}
