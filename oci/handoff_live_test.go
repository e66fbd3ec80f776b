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
)

// The child half of TestLiveHandoff: load a profile that sends getppid
// to an agent, hand the descriptor to the agent at listenerPath, then
// call getppid and print what it returned.
func init() {
	path := os.Getenv("OCI_TEST_HANDOFF_CHILD")
	if path == "" {
		return
	}
	runtime.LockOSThread()
	profile := fmt.Sprintf(`{
		"defaultAction": "SCMP_ACT_ALLOW",
		"listenerPath": %q,
		"listenerMetadata": "from-the-profile",
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]
	}`, path)
	opts := Options{NoNewPrivs: true}
	spec, _, err := Parse([]byte(profile), opts)
	fd := -1
	if err == nil {
		var f *seccomp.ScmpFilter
		if f, err = NewFilter(spec, opts); err == nil {
			fd, err = Load(f, spec)
		}
	}
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(3)
	}
	state := specs.State{ID: "live", Status: specs.StateRunning, Pid: os.Getpid(), Bundle: "/nowhere"}
	if err := Handoff(spec, fd, os.Getpid(), state); err != nil {
		fmt.Println("handoff:", err)
		os.Exit(4)
	}
	r, _, e := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
	fmt.Println("getppid", int(r), int(e))
	os.Exit(0)
}

func TestLiveHandoff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	if api, err := seccomp.GetAPI(); err != nil || api < 6 {
		t.Skipf("API level %d (%v): no user notification", api, err)
	}
	path := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OCI_TEST_HANDOFF_CHILD="+path)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	if err := l.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	conn, err := l.AcceptUnix()
	if err != nil {
		err := <-waited
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 3 {
			t.Skipf("this kernel refuses the filter: %s", out.String())
		}
		t.Fatalf("no connection from the child (%v): %s", err, out.String())
	}
	defer conn.Close()
	buf, oob := make([]byte, 4096), make([]byte, syscall.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	var st specs.ContainerProcessState
	if err := json.Unmarshal(buf[:n], &st); err != nil {
		t.Fatal(err)
	}
	if st.Metadata != "from-the-profile" || st.State.ID != "live" || len(st.Fds) != 1 || st.Fds[0] != "seccompFd" || st.Pid != cmd.Process.Pid {
		t.Errorf("state = %+v", st)
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		t.Fatalf("control messages %v, %v", msgs, err)
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		t.Fatalf("descriptors %v, %v", fds, err)
	}
	notify := seccomp.ScmpFd(fds[0])
	defer syscall.Close(fds[0])

	req, err := seccomp.NotifReceive(notify)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := seccomp.GetSyscallFromName("getppid"); req.Data.Syscall != want {
		t.Errorf("notified syscall %d, want getppid (%d)", req.Data.Syscall, want)
	}
	if err := seccomp.NotifRespond(notify, &seccomp.ScmpNotifResp{ID: req.ID, Val: 4242}); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatalf("child: %v: %s", err, out.String())
	}
	if got, want := out.String(), "getppid 4242 0\n"; got != want {
		t.Errorf("child printed %q, want %q", got, want)
	}
}
